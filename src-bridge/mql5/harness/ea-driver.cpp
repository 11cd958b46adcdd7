// ea-driver.cpp - runs the whole EA (PipdeskBridge.mq5 and its includes, translated to C++) against the fake
// terminal (mql5-terminal.h) and the fake pipe (mql5-shim.h), following a script on stdin:
//   app <json>          the app writes one frame to the pipe
//   raw <text>          the app writes bytes without a newline
//   timer [ms]          advance the clocks by ms (default 0) and call OnTimer
//   sendcodes a,b,...   the next OrderSend retcodes;  checkcodes a,b,...  the next OrderCheck retcodes
//   quote SYM bid ask msc   a new tick;   balance X   a new balance/equity
//   broken              the app side of the pipe goes away;  listen 0|1   whether the app accepts connections
//   token TEXT | notoken    the token file's content, or no file
//   pipefile NAME | nopipefile  pipe.txt's content, or no file
//   challenge NONCE [variant]   the app answers the EA's latest hello (see the command for the variants)
//   connected 0|1       TERMINAL_CONNECTED (the terminal's link to the trade server)
//   clock ms            advance the clocks without calling OnTimer (time the EA does not see pass)
//   gv NAME VALUE|now   set a terminal global variable ("now": GetTickCount64, as a heartbeat)
//   olddeal ID DAYS     a position opened by clOrdId ID DAYS days ago and closed by SL an hour later
//   adddeal ID POS      an order carrying clOrdId ID filled a minute ago into the existing position POS (netting)
//   symfill SYM EXE FLAGS   a symbol's SYMBOL_TRADE_EXEMODE and SYMBOL_FILLING_MODE
//   tzoffset SEC        the trade server's clock minus UTC from now on (a DST change)
//   gvdel NAME          delete a terminal global variable (as the terminal's Global Variables window can)
//   reversal ID POS     an order carrying ID reversed the open netting position POS a minute ago
//   slclose POS         the open position with identifier POS is closed by its SL now
//   removeorder TICKET  the working order TICKET is gone (filled or deleted)
//   txn TYPE ORDER DEAL [COUNT]  the terminal calls OnTradeTransaction COUNT times (default 1) with a transaction of
//                       ENUM_TRADE_TRANSACTION_TYPE TYPE; DEAL grows by one per call (0 stays 0)
//   deinit              OnDeinit
//   stats               print the EA's output so far, then "#stats {...}"
// Every frame the EA wrote is printed as it was written (UTF-8 NDJSON).
#include "mql5-terminal.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

ulong g_fake_ms = 1000000;
int g_last_error = 0;
std::vector<std::string> g_journal;
#ifdef PD_REAL_SOCKET
int g_socket_fd = -1;
#else
FakePipe g_pipe_fake;
#endif
FakeTerminal g_term;
int g_selected_position = -1;
int g_selected_order = -1;
std::vector<size_t> g_hist_orders, g_hist_deals;
std::map<std::u16string, double> g_globals;
std::vector<std::string> g_alerts;
std::vector<std::string> g_gv_permanent;
unsigned g_rand_state = 1;

std::map<int, std::string> g_open_files;

// Common\Files\Pipdesk\token.txt (handle 2) and pipe.txt (handle 3): real files under
// $PIPDESK_COMMON_DIR/Pipdesk/ when that is set (live mode), else the scenario's (`token`, `pipefile`).
int pd_open_other_file(const string &name, int flags) {
  std::string n = pd_u16_to_utf8(name.s);
  if ((flags & FILE_COMMON) == 0 || (flags & FILE_READ) == 0 || (flags & FILE_WRITE) != 0)
    throw MqlViolation("unexpected file open: " + n);
  int h = 0;
  std::string file;
  if (n == "Pipdesk\\token.txt") {
    h = 2;
    file = "token.txt";
  } else if (n == "Pipdesk\\pipe.txt") {
    h = 3;
    file = "pipe.txt";
  } else {
    throw MqlViolation("unexpected file open: " + n);
  }
  std::string content;
  if (const char *dir = std::getenv("PIPDESK_COMMON_DIR")) {
    std::ifstream in(std::string(dir) + "/Pipdesk/" + file, std::ios::binary);
    if (!in) {
      g_last_error = 5004;
      return INVALID_HANDLE;
    }
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else if (h == 2) {
    if (!g_term.tokenFile) return INVALID_HANDLE;
    content = pd_u16_to_utf8(g_term.token);
  } else {
    if (!g_term.pipeFile) return INVALID_HANDLE;
    content = pd_u16_to_utf8(g_term.pipeName);
  }
  g_open_files[h] = content;
  return h;
}

void pd_close_other_file(int h) { g_open_files.erase(h); }

#include "PipdeskBridge.gen.h"

static std::u16string u(const char *s) { return pd_utf8_to_u16(s); }

static void fixture() {
  g_term.accI[ACCOUNT_LOGIN] = 81234567;
  g_term.accI[ACCOUNT_TRADE_MODE] = ACCOUNT_TRADE_MODE_DEMO;
  g_term.accI[ACCOUNT_LEVERAGE] = 500;
  g_term.accI[ACCOUNT_MARGIN_SO_MODE] = ACCOUNT_STOPOUT_MODE_PERCENT;
  g_term.accI[ACCOUNT_TRADE_ALLOWED] = 1;
  g_term.accI[ACCOUNT_TRADE_EXPERT] = 1;
  g_term.accI[ACCOUNT_MARGIN_MODE] = ACCOUNT_MARGIN_MODE_RETAIL_HEDGING;
  g_term.accI[ACCOUNT_CURRENCY_DIGITS] = 2;
  g_term.accD[ACCOUNT_BALANCE] = 10000;
  g_term.accD[ACCOUNT_EQUITY] = 9998.9;
  g_term.accD[ACCOUNT_PROFIT] = -1.1;
  g_term.accD[ACCOUNT_MARGIN] = 21.7;
  g_term.accD[ACCOUNT_MARGIN_FREE] = 9977.2;
  g_term.accD[ACCOUNT_MARGIN_LEVEL] = 46077.88;
  g_term.accD[ACCOUNT_MARGIN_SO_CALL] = 60;
  g_term.accS[ACCOUNT_NAME] = u("Ana \"Demo\" Müller");
  g_term.accS[ACCOUNT_SERVER] = u("Demo-Server");
  g_term.accS[ACCOUNT_CURRENCY] = u("USD");
  g_term.accS[ACCOUNT_COMPANY] = u("Broker Ltd");
  g_term.termI[TERMINAL_BUILD] = 4755;
  g_term.termI[TERMINAL_CONNECTED] = 1;
  g_term.termI[TERMINAL_TRADE_ALLOWED] = 1;
  g_term.termS[TERMINAL_COMPANY] = u("Broker Ltd");
  g_term.termS[TERMINAL_DATA_PATH] = u("C:\\Users\\ana\\AppData\\Roaming\\MetaQuotes\\Terminal\\D0E8");
  g_term.termS[TERMINAL_COMMONDATA_PATH] = u("C:\\Users\\ana\\AppData\\Roaming\\MetaQuotes\\Terminal\\Common");
  // The scripted clock starts on Thursday 2027-01-14 08:00 server time (UTC+3), inside the fake session.

  auto addSymbol = [](const char *name, const char *desc, int digits, long exe, long filling, double bid, double ask) {
    FakeSymbol s;
    double point = std::pow(10.0, -digits);
    s.i[SYMBOL_DIGITS] = digits;
    s.i[SYMBOL_SPREAD] = 10;
    s.i[SYMBOL_TRADE_CALC_MODE] = 0;
    s.i[SYMBOL_TRADE_MODE] = 4;
    s.i[SYMBOL_TRADE_EXEMODE] = exe;
    s.i[SYMBOL_EXPIRATION_MODE] = 15;
    s.i[SYMBOL_FILLING_MODE] = filling;
    s.i[SYMBOL_ORDER_MODE] = 127;
    s.d[SYMBOL_POINT] = point;
    s.d[SYMBOL_TRADE_TICK_SIZE] = point;
    s.d[SYMBOL_TRADE_TICK_VALUE_LOSS] = 1;
    s.d[SYMBOL_TRADE_TICK_VALUE_PROFIT] = 1;
    s.d[SYMBOL_TRADE_CONTRACT_SIZE] = 100000;
    s.d[SYMBOL_VOLUME_MIN] = 0.01;
    s.d[SYMBOL_VOLUME_MAX] = 200;
    s.d[SYMBOL_VOLUME_STEP] = 0.01;
    s.s[SYMBOL_CURRENCY_BASE] = u("EUR");
    s.s[SYMBOL_CURRENCY_PROFIT] = u("USD");
    s.s[SYMBOL_CURRENCY_MARGIN] = u("EUR");
    s.s[SYMBOL_DESCRIPTION] = u(desc);
    s.s[SYMBOL_PATH] = std::u16string(u("Forex\\")) + u(name);
    s.tick.bid = bid;
    s.tick.ask = ask;
    s.tick.time_msc = 1799942400000;
    g_term.symbols.push_back({u(name), s});
  };
  addSymbol("EURUSD", "Euro vs US Dollar", 5, SYMBOL_TRADE_EXECUTION_MARKET, 3, 1.085, 1.0851);
  addSymbol("GOLD", "Gold — spot ☀", 2, SYMBOL_TRADE_EXECUTION_INSTANT, 1, 2400.5, 2400.8);
  addSymbol("US30", "Dow Jones", 1, SYMBOL_TRADE_EXECUTION_EXCHANGE, 2, 39000.0, 39001.0);
  addSymbol("NOQUOTE", "No quote yet", 3, SYMBOL_TRADE_EXECUTION_MARKET, 1, 0, 0);

  long open = ((long)TimeTradeServer() - 3600) * 1000;
  FakeRow pos;
  pos.i[POSITION_TICKET] = 7000000001;
  pos.i[POSITION_IDENTIFIER] = 7000000001;
  pos.i[POSITION_TYPE] = 0;
  pos.i[POSITION_MAGIC] = 26042001;
  pos.i[POSITION_TIME_MSC] = open;
  pos.i[POSITION_TIME_UPDATE_MSC] = open;
  pos.d[POSITION_VOLUME] = 0.1;
  pos.d[POSITION_PRICE_OPEN] = 1.08512;
  pos.d[POSITION_PRICE_CURRENT] = 1.085;
  pos.d[POSITION_SL] = 1.08;
  pos.d[POSITION_PROFIT] = -1.2;
  pos.s[POSITION_SYMBOL] = u("EURUSD");
  pos.s[POSITION_COMMENT] = u("pd-open1");
  g_term.positions.push_back(pos);
  FakeRow pos2 = pos;
  pos2.i[POSITION_TICKET] = 7000000002;
  pos2.i[POSITION_IDENTIFIER] = 7000000002;
  pos2.i[POSITION_TYPE] = 1;
  pos2.s[POSITION_COMMENT] = u("other");
  g_term.positions.push_back(pos2);

  FakeRow ord;
  ord.i[ORDER_TICKET] = 7100000001;
  ord.i[ORDER_TYPE] = ORDER_TYPE_BUY_STOP_LIMIT;
  ord.i[ORDER_STATE] = ORDER_STATE_PLACED;
  ord.i[ORDER_TYPE_FILLING] = ORDER_FILLING_RETURN;
  ord.i[ORDER_TIME_SETUP_MSC] = open;
  ord.i[ORDER_MAGIC] = 26042001;
  ord.d[ORDER_VOLUME_INITIAL] = 0.2;
  ord.d[ORDER_VOLUME_CURRENT] = 0.2;
  ord.d[ORDER_PRICE_OPEN] = 1.081;
  ord.d[ORDER_PRICE_STOPLIMIT] = 1.0802;
  ord.d[ORDER_PRICE_CURRENT] = 1.0851;
  ord.s[ORDER_SYMBOL] = u("EURUSD");
  ord.s[ORDER_COMMENT] = u("pd-limit1");
  g_term.orders.push_back(ord);

  // A closed position opened by "pd-closed1": its SL close deal carries MT5's own comment.
  FakeRow hord;
  hord.i[ORDER_TICKET] = 7000000009;
  hord.i[ORDER_TIME_SETUP_MSC] = open - 60000;
  hord.i[ORDER_POSITION_ID] = 7000000009;
  hord.s[ORDER_COMMENT] = u("pd-closed1");
  g_term.historyOrders.push_back(hord);
  auto deal = [](long ticket, long order, long position, int entry, int reason, long timeMs, const char *comment,
                 const char *symbol, int type) {
    FakeRow d;
    d.i[-1] = ticket;
    d.i[DEAL_ORDER] = order;
    d.i[DEAL_POSITION_ID] = position;
    d.i[DEAL_ENTRY] = entry;
    d.i[DEAL_REASON] = reason;
    d.i[DEAL_TIME_MSC] = timeMs;
    d.i[DEAL_TYPE] = type;
    d.i[DEAL_MAGIC] = 26042001;
    d.d[DEAL_VOLUME] = 0.1;
    d.d[DEAL_PRICE] = 1.08;
    d.d[DEAL_PROFIT] = entry == 1 ? -5.5 : 0;
    d.s[DEAL_COMMENT] = u(comment);
    d.s[DEAL_SYMBOL] = u(symbol);
    g_term.deals.push_back(d);
  };
  deal(7200000000, 0, 0, 0, 0, open - 86400000, "deposit", "", 2);
  deal(7200000001, 7000000009, 7000000009, 0, 3, open - 60000, "pd-closed1", "EURUSD", 0);
  deal(7200000002, 7000000010, 7000000009, 1, 4, open - 30000, "[sl 1.08000]", "EURUSD", 1);
  deal(7200000003, 7000000011, 7000000099, 0, 3, open - 20000, "unrelated", "EURUSD", 0);
}

#ifdef PD_REAL_SOCKET
#include <csignal>
#include <ctime>

// SIGTERM removes the EA from its chart: the loop ends and OnDeinit runs.
static volatile std::sig_atomic_t g_stop = 0;
static void onTerm(int) { g_stop = 1; }

static ulong monotonicMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (ulong)ts.tv_sec * 1000 + (ulong)ts.tv_nsec / 1000000;
}

// The EA's journal lines not printed yet, as "#journal <text>" lines.
static void printJournal() {
  static size_t printed = 0;
  for (; printed < g_journal.size(); printed++) std::printf("#journal %s\n", g_journal[printed].c_str());
  std::fflush(stdout);
}

// Live mode: the EA's timer loop in real time against a real Unix socket (pipe.txt's absolute path, else
// $PIPDESK_SOCKET), with token.txt and pipe.txt read from $PIPDESK_COMMON_DIR/Pipdesk/, for $PIPDESK_LIFETIME_MS (default 60 s) or until SIGTERM (then
// OnDeinit runs) or SIGKILL. $PIPDESK_CHART_ID and $PIPDESK_GV_FILE make several processes act as EAs on
// different charts of one terminal.
int main() {
  // Real UTC first: the fixture's positions and deals are placed relative to the trade server's clock.
  g_term.gmtSeconds = (long)std::time(nullptr);
  fixture();
  const char *lifetime = std::getenv("PIPDESK_LIFETIME_MS");
  ulong end = monotonicMs() + (lifetime != nullptr ? (ulong)std::atol(lifetime) : 60000);
  g_fake_ms = monotonicMs();
  g_term.gmtSeconds = (long)std::time(nullptr);
  ::signal(SIGTERM, onTerm);
  if (OnInit() != INIT_SUCCEEDED) return 1;
  try {
    // The terminal has been connected to the trade server for PD_SYNC_SETTLE_MS already: the EA sees the
    // connection on its first timer call and its clock then jumps past the settling time.
    OnTimer();
    ulong skew = PD_SYNC_SETTLE_MS;
    while (monotonicMs() < end && g_stop == 0) {
      g_fake_ms = monotonicMs() + skew;
      g_term.gmtSeconds = (long)std::time(nullptr);
      OnTimer();
      printJournal();
      ::usleep((useconds_t)InpTimerMs * 1000);
    }
    OnDeinit(0);
  } catch (const MqlViolation &e) {
    std::fprintf(stderr, "violation: %s\n", e.what());
    return 3;
  }
  return 0;
}
#else
// HMAC-SHA256 written here for the scripted app side, independent of the EA's MQL5 version (Auth.mqh).
static std::string appHmacHex(const std::string &key, const std::string &message) {
  std::vector<unsigned char> k(key.begin(), key.end());
  if (k.size() > 64) k = pd_sha256::digest(k);
  k.resize(64, 0);
  std::vector<unsigned char> inner(64), outer(64);
  for (size_t i = 0; i < 64; i++) {
    inner[i] = k[i] ^ 0x36;
    outer[i] = k[i] ^ 0x5c;
  }
  inner.insert(inner.end(), message.begin(), message.end());
  std::vector<unsigned char> ih = pd_sha256::digest(inner);
  outer.insert(outer.end(), ih.begin(), ih.end());
  std::vector<unsigned char> mac = pd_sha256::digest(outer);
  static const char *digits = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : mac) {
    hex += digits[b >> 4];
    hex += digits[b & 15];
  }
  return hex;
}

// The nonce of the EA's `which`-th hello on the pipe (0 = first, -1 = latest), or "" if there is none.
static std::string helloNonce(int which) {
  std::vector<std::string> nonces;
  const std::string &h = g_pipe_fake.history;
  size_t at = 0;
  while ((at = h.find("{\"type\":\"hello\"", at)) != std::string::npos) {
    size_t n = h.find("\"nonce\":\"", at);
    size_t end = h.find('\n', at);
    if (n != std::string::npos && n < end) nonces.push_back(h.substr(n + 9, 64));
    at = end;
  }
  if (nonces.empty()) return "";
  return which < 0 ? nonces.back() : nonces.at((size_t)which);
}

static void flush() {
  std::fwrite(g_pipe_fake.fromEa.data(), 1, g_pipe_fake.fromEa.size(), stdout);
  g_pipe_fake.fromEa.clear();
}

static std::string joinRequests(const std::vector<MqlTradeRequest> &rs) {
  std::string out = "[";
  for (size_t i = 0; i < rs.size(); i++) {
    if (i > 0) out += ",";
    out += "{\"action\":" + std::to_string((int)rs[i].action) + ",\"type\":" + std::to_string((int)rs[i].type) +
           ",\"filling\":" + std::to_string((int)rs[i].type_filling) + ",\"typeTime\":" +
           std::to_string((int)rs[i].type_time) + ",\"volume\":" + std::to_string(rs[i].volume) +
           ",\"price\":" + std::to_string(rs[i].price) + ",\"stoplimit\":" + std::to_string(rs[i].stoplimit) + ",\"sl\":" + std::to_string(rs[i].sl) +
           ",\"magic\":" + std::to_string(rs[i].magic) + ",\"position\":" + std::to_string(rs[i].position) +
           ",\"positionBy\":" + std::to_string(rs[i].position_by) + ",\"order\":" + std::to_string(rs[i].order) +
           ",\"deviation\":" + std::to_string(rs[i].deviation) + ",\"comment\":\"" + pd_u16_to_utf8(rs[i].comment.s) +
           "\",\"symbol\":\"" + pd_u16_to_utf8(rs[i].symbol.s) + "\"}";
  }
  return out + "]";
}

static std::string jsonText(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if ((unsigned char)c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", (unsigned)(unsigned char)c);
      out += esc;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

static std::string globalsJson() {
  std::string out = "{";
  for (auto &v : g_globals) {
    if (out.size() > 1) out += ",";
    char num[64];
    std::snprintf(num, sizeof num, "%.17g", v.second);
    out += jsonText(pd_u16_to_utf8(v.first)) + ":" + num;
  }
  return out + "}";
}

static std::string textsJson(const std::vector<std::string> &texts) {
  std::string out = "[";
  for (size_t i = 0; i < texts.size(); i++) out += (i > 0 ? "," : "") + jsonText(texts[i]);
  return out + "]";
}

// A history order and two deals: opened by `id` `days` ago, closed by SL an hour later (MT5's own comment).
static void addOldTrade(const std::string &id, long days) {
  static long next = 7300000000;
  long ticket = next;
  next += 10;
  long openMs = ((long)TimeTradeServer() - days * 86400) * 1000;
  FakeRow order;
  order.i[ORDER_TICKET] = ticket;
  order.i[ORDER_TIME_SETUP_MSC] = openMs;
  order.i[ORDER_POSITION_ID] = ticket;
  order.s[ORDER_COMMENT] = u(id.c_str());
  g_term.historyOrders.push_back(order);
  for (int k = 0; k < 2; k++) {
    FakeRow d;
    d.i[-1] = ticket + 1 + k;
    d.i[DEAL_ORDER] = ticket + k;
    d.i[DEAL_POSITION_ID] = ticket;
    d.i[DEAL_ENTRY] = k;
    d.i[DEAL_REASON] = k == 0 ? 3 : 4;
    d.i[DEAL_TIME_MSC] = openMs + k * 3600000L;
    d.i[DEAL_TYPE] = k;
    d.d[DEAL_VOLUME] = 0.1;
    d.d[DEAL_PRICE] = 1.08;
    d.s[DEAL_COMMENT] = k == 0 ? u(id.c_str()) : u("[sl 1.08000]");
    d.s[DEAL_SYMBOL] = u("EURUSD");
    g_term.deals.push_back(d);
  }
}

// A netting order that added to an older position: the position keeps the identifier of the order that opened it.
static void addToPosition(const std::string &id, long position) {
  static long next = 7400000000;
  long ticket = next;
  next += 10;
  long atMs = ((long)TimeTradeServer() - 60) * 1000;
  FakeRow order;
  order.i[ORDER_TICKET] = ticket;
  order.i[ORDER_TIME_SETUP_MSC] = atMs;
  order.i[ORDER_POSITION_ID] = position;
  order.s[ORDER_COMMENT] = u(id.c_str());
  g_term.historyOrders.push_back(order);
  FakeRow d;
  d.i[-1] = ticket + 1;
  d.i[DEAL_ORDER] = ticket;
  d.i[DEAL_POSITION_ID] = position;
  d.i[DEAL_ENTRY] = 0;
  d.i[DEAL_REASON] = 3;
  d.i[DEAL_TIME_MSC] = atMs;
  d.d[DEAL_VOLUME] = 0.3;
  d.d[DEAL_PRICE] = 1.09;
  d.s[DEAL_COMMENT] = u(id.c_str());
  d.s[DEAL_SYMBOL] = u("EURUSD");
  g_term.deals.push_back(d);
}

// A netting order carrying clOrdId ID that reversed the open position with identifier POS a minute ago: one IN/OUT
// deal; the position keeps its identifier, takes the order's ticket and turns around (MQL5 Reference, "Position
// Properties", POSITION_IDENTIFIER).
static void addReversal(const std::string &id, long position) {
  static long next = 7500000000;
  long ticket = next;
  next += 10;
  long atMs = ((long)TimeTradeServer() - 60) * 1000;
  FakeRow order;
  order.i[ORDER_TICKET] = ticket;
  order.i[ORDER_TIME_SETUP_MSC] = atMs;
  order.i[ORDER_POSITION_ID] = position;
  order.s[ORDER_COMMENT] = u(id.c_str());
  g_term.historyOrders.push_back(order);
  FakeRow d;
  d.i[-1] = ticket + 1;
  d.i[DEAL_ORDER] = ticket;
  d.i[DEAL_POSITION_ID] = position;
  d.i[DEAL_ENTRY] = DEAL_ENTRY_INOUT;
  d.i[DEAL_REASON] = 3;
  d.i[DEAL_TIME_MSC] = atMs;
  d.i[DEAL_TYPE] = 1;
  d.d[DEAL_VOLUME] = 0.3;
  d.d[DEAL_PRICE] = 1.0849;
  d.s[DEAL_COMMENT] = u(id.c_str());
  d.s[DEAL_SYMBOL] = u("EURUSD");
  g_term.deals.push_back(d);
  for (auto &p : g_term.positions)
    if (p.i[POSITION_IDENTIFIER] == position) {
      p.i[POSITION_TICKET] = ticket;
      p.i[POSITION_TYPE] = 1 - p.i[POSITION_TYPE];
      p.d[POSITION_VOLUME] = 0.2;
    }
}

// The open position with identifier POS is closed by its stop loss now (MT5's own comment on the deal).
static void closeBySl(long position) {
  static long next = 7600000000;
  long atMs = (long)TimeTradeServer() * 1000;
  FakeRow d;
  d.i[-1] = next++;
  d.i[DEAL_ORDER] = next++;
  d.i[DEAL_POSITION_ID] = position;
  d.i[DEAL_ENTRY] = DEAL_ENTRY_OUT;
  d.i[DEAL_REASON] = 4;
  d.i[DEAL_TIME_MSC] = atMs;
  d.i[DEAL_TYPE] = 0;
  d.d[DEAL_VOLUME] = 0.2;
  d.d[DEAL_PRICE] = 1.09;
  d.s[DEAL_COMMENT] = u("[sl 1.09000]");
  d.s[DEAL_SYMBOL] = u("EURUSD");
  g_term.deals.push_back(d);
  for (size_t i = 0; i < g_term.positions.size(); i++)
    if (g_term.positions[i].i[POSITION_IDENTIFIER] == position) {
      g_term.positions.erase(g_term.positions.begin() + (long)i);
      break;
    }
}

static std::deque<uint> codes(const std::string &list) {
  std::deque<uint> out;
  std::stringstream ss(list);
  std::string part;
  while (std::getline(ss, part, ',')) out.push_back((uint)std::stoul(part));
  return out;
}

int main() {
  fixture();
  if (const char *build = std::getenv("PIPDESK_TERMINAL_BUILD")) g_term.termI[TERMINAL_BUILD] = std::atol(build);
  if (const char *pipe = std::getenv("PIPDESK_INP_PIPE_NAME")) InpPipeName = string(pipe);
  std::string line;
  bool inited = false;
  try {
    if (OnInit() != INIT_SUCCEEDED) {
      // Read the rest of the script first: exiting with unread input would break the writer's pipe (EPIPE).
      while (std::getline(std::cin, line)) {
      }
      std::puts("#init-failed");
      std::printf("#stats {\"journal\":%s}\n", textsJson(g_journal).c_str());
      return 0;
    }
    inited = true;
    while (std::getline(std::cin, line)) {
      std::string cmd = line.substr(0, line.find(' '));
      std::string arg = line.find(' ') == std::string::npos ? "" : line.substr(line.find(' ') + 1);
      if (cmd == "app" || cmd == "raw") {
        std::string bytes = cmd == "app" ? arg + "\n" : arg;
        for (char c : bytes) g_pipe_fake.toEa.push_back((uchar)c);
      } else if (cmd == "timer") {
        long ms = arg.empty() ? 0 : std::stol(arg);
        g_fake_ms += (ulong)ms;
        g_term.gmtSeconds += ms / 1000;
        OnTimer();
      } else if (cmd == "sendcodes") {
        g_term.sendRetcodes = codes(arg);
      } else if (cmd == "checkcodes") {
        g_term.checkRetcodes = codes(arg);
      } else if (cmd == "quote") {
        std::stringstream ss(arg);
        std::string sym;
        double bid = 0, ask = 0;
        long msc = 0;
        ss >> sym >> bid >> ask >> msc;
        FakeSymbol *s = pd_sym(string(sym.c_str()));
        if (s != nullptr) {
          s->tick.bid = bid;
          s->tick.ask = ask;
          s->tick.time_msc = msc;
        }
      } else if (cmd == "balance") {
        g_term.accD[ACCOUNT_BALANCE] = std::stod(arg);
        g_term.accD[ACCOUNT_EQUITY] = std::stod(arg);
      } else if (cmd == "broken") {
        g_pipe_fake.broken = true;
        g_pipe_fake.toEa.clear();
      } else if (cmd == "listen") {
        g_pipe_fake.listening = arg == "1";
      } else if (cmd == "token") {
        g_term.tokenFile = true;
        g_term.token = pd_utf8_to_u16(arg);
      } else if (cmd == "notoken") {
        g_term.tokenFile = false;
      } else if (cmd == "pipefile") {
        g_term.pipeFile = true;
        g_term.pipeName = pd_utf8_to_u16(arg);
      } else if (cmd == "nopipefile") {
        g_term.pipeFile = false;
      } else if (cmd == "challenge") {
        // challenge APPNONCE [right|wrongtoken|wrongendpoint|reflect|replay|badnonce]: the app's answer to the
        // EA's latest hello, with the proof computed here from the token file's content.
        std::stringstream ss(arg);
        std::string appNonce, variant = "right";
        ss >> appNonce >> variant;
        std::string token = pd_u16_to_utf8(g_term.token);
        std::string endpoint = g_pipe_fake.name;
        std::string eaNonce = helloNonce(variant == "replay" ? 0 : -1);
        std::string role = "app";
        if (variant == "wrongtoken") token = std::string(64, 'e');
        if (variant == "wrongendpoint") endpoint = "pipdesk-ffffffffffffffff";
        if (variant == "reflect") role = "ea";
        std::string proof = appHmacHex(token, "pipdesk/2\n" + role + "\n" + endpoint + "\n" + eaNonce + "\n" + appNonce);
        if (variant == "badnonce") appNonce = "xyz";
        std::string frame = "{\"type\":\"challenge\",\"protocol\":2,\"nonce\":\"" + appNonce + "\",\"proof\":\"" + proof + "\"}\n";
        for (char c : frame) g_pipe_fake.toEa.push_back((uchar)c);
      } else if (cmd == "connected") {
        g_term.termI[TERMINAL_CONNECTED] = arg == "1" ? 1 : 0;
      } else if (cmd == "clock") {
        long ms = std::stol(arg);
        g_fake_ms += (ulong)ms;
        g_term.gmtSeconds += ms / 1000;
      } else if (cmd == "gv") {
        std::string name = arg.substr(0, arg.find(' '));
        std::string value = arg.substr(arg.find(' ') + 1);
        g_globals[u(name.c_str())] = value == "now" ? (double)g_fake_ms : std::stod(value);
      } else if (cmd == "olddeal") {
        std::stringstream ss(arg);
        std::string id;
        long days = 0;
        ss >> id >> days;
        addOldTrade(id, days);
      } else if (cmd == "adddeal") {
        std::stringstream ss(arg);
        std::string id;
        long position = 0;
        ss >> id >> position;
        addToPosition(id, position);
      } else if (cmd == "symfill") {
        std::stringstream ss(arg);
        std::string sym;
        long exe = 0, flags = 0;
        ss >> sym >> exe >> flags;
        FakeSymbol *fs = pd_sym(string(sym.c_str()));
        if (fs == nullptr) throw MqlViolation("symfill: no such symbol");
        fs->i[SYMBOL_TRADE_EXEMODE] = exe;
        fs->i[SYMBOL_FILLING_MODE] = flags;
      } else if (cmd == "tzoffset") {
        g_term.serverOffsetSec = std::stol(arg);
      } else if (cmd == "gvdel") {
        g_globals.erase(u(arg.c_str()));
      } else if (cmd == "reversal") {
        std::stringstream ss(arg);
        std::string id;
        long position = 0;
        ss >> id >> position;
        addReversal(id, position);
      } else if (cmd == "slclose") {
        closeBySl(std::stol(arg));
      } else if (cmd == "removeorder") {
        long ticket = std::stol(arg);
        for (size_t i = 0; i < g_term.orders.size(); i++)
          if (g_term.orders[i].i[ORDER_TICKET] == ticket) {
            g_term.orders.erase(g_term.orders.begin() + (long)i);
            break;
          }
      } else if (cmd == "txn") {
        std::stringstream ss(arg);
        long type = 0, count = 1;
        unsigned long long order = 0, deal = 0;
        ss >> type >> order >> deal >> count;
        for (long k = 0; k < count; k++) {
          MqlTradeTransaction trans;
          trans.type = (ENUM_TRADE_TRANSACTION_TYPE)type;
          trans.order = order;
          trans.deal = deal == 0 ? 0 : deal + (unsigned long long)k;
          trans.symbol = string("EURUSD");
          MqlTradeRequest request;
          MqlTradeResult result;
          OnTradeTransaction(trans, request, result);
        }
      } else if (cmd == "deinit") {
        OnDeinit(0);
      } else if (cmd == "stats") {
        flush();
        std::printf("#stats {\"open\":%s,\"opens\":%d,\"sent\":%s,\"checked\":%s,\"globals\":%s,\"alerts\":%s,"
                    "\"journal\":%s,\"permanentGlobals\":%s}\n",
                    g_pipe_fake.open ? "true" : "false", g_pipe_fake.opens, joinRequests(g_term.sent).c_str(),
                    joinRequests(g_term.checked).c_str(), globalsJson().c_str(), textsJson(g_alerts).c_str(),
                    textsJson(g_journal).c_str(), textsJson(g_gv_permanent).c_str());
      } else if (!cmd.empty()) {
        std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
        return 2;
      }
    }
  } catch (const MqlViolation &e) {
    flush();
    std::printf("#violation %s\n", e.what());
    return 0;
  }
  (void)inited;
  flush();
  return 0;
}
#endif
