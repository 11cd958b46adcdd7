// `npm start`: replaced by the desktop launcher (Electron, or the web host when Electron's binary is absent).
console.log('Pipdesk: the desktop app is not built yet (see README, "Status").');
