/**
 * The plain reset page served at /reset-password until the portal's build exists. No inline script (the CSP
 * forbids it): the form is driven by /reset-password.js. The token stays in the page; Referrer-Policy is
 * no-referrer so it never leaks to another site.
 */
export const RESET_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Reset your Pipdesk password</title>
<style>
body{font-family:system-ui,sans-serif;max-width:420px;margin:3rem auto;padding:0 1rem;color:#1b1f24}
label{display:block;margin:1rem 0 .25rem}input{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1.25rem;padding:.6rem 1rem;font-size:1rem}#message{margin-top:1rem}
.error{color:#b42318}.ok{color:#067647}
</style>
</head>
<body>
<h1>Choose a new password</h1>
<form id="reset-form">
<label for="password">New password (at least 12 characters)</label>
<input id="password" name="password" type="password" autocomplete="new-password" minlength="12" maxlength="128" required>
<label for="confirm">Repeat it</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="12" maxlength="128" required>
<button type="submit">Set password</button>
</form>
<p id="message" role="status"></p>
<script src="/reset-password.js"></script>
</body>
</html>
`;

export const RESET_PAGE_JS = `'use strict';
(function () {
  var form = document.getElementById('reset-form');
  var message = document.getElementById('message');
  var token = new URLSearchParams(window.location.search).get('token') || '';
  // Take the token out of the address bar and history once read.
  window.history.replaceState(null, '', window.location.pathname);
  function show(text, isError) { message.textContent = text; message.className = isError ? 'error' : 'ok'; }
  if (!token) { show('This link has no reset token. Ask for a new link.', true); form.hidden = true; return; }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var password = form.password.value;
    if (password !== form.confirm.value) { show('The two passwords differ.', true); return; }
    form.querySelector('button').disabled = true;
    fetch('/api/v1/auth/reset-password', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: token, new_password: password })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) { form.hidden = true; show('Your password is changed. Sign in with it on every device.', false); }
        else { form.querySelector('button').disabled = false; show(body.error ? body.error.message : 'Something went wrong.', true); }
      });
    }).catch(function () { form.querySelector('button').disabled = false; show('The server could not be reached.', true); });
  });
})();
`;
