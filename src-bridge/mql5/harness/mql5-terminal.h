// mql5-terminal.h - a fake MetaTrader 5 terminal for compiling and running the whole EA on Linux: the enums,
// structures and API functions PipdeskBridge.mq5 uses, backed by plain data the scenario driver fills in.
// Enumeration values that travel on the wire (order types, filling, actions, modes, flags) are MT5's; property
// identifiers only need to be distinct, but each belongs to the enumeration MT5 puts it in, so passing a double
// property to SymbolInfoInteger fails to compile here as it would in MetaEditor.
#pragma once
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <functional>
#include <map>
#include "mql5-shim.h"

#define FILE_TXT 16
#define FILE_ANSI 32
#define FILE_COMMON 4096

enum ENUM_INIT_RETCODE { INIT_SUCCEEDED = 0, INIT_FAILED = 1, INIT_PARAMETERS_INCORRECT = 2 };
enum ENUM_ORDER_TYPE {
  ORDER_TYPE_BUY = 0, ORDER_TYPE_SELL = 1, ORDER_TYPE_BUY_LIMIT = 2, ORDER_TYPE_SELL_LIMIT = 3,
  ORDER_TYPE_BUY_STOP = 4, ORDER_TYPE_SELL_STOP = 5, ORDER_TYPE_BUY_STOP_LIMIT = 6, ORDER_TYPE_SELL_STOP_LIMIT = 7,
  ORDER_TYPE_CLOSE_BY = 8
};
enum ENUM_ORDER_TYPE_FILLING { ORDER_FILLING_FOK = 0, ORDER_FILLING_IOC = 1, ORDER_FILLING_RETURN = 2, ORDER_FILLING_BOC = 3 };
enum ENUM_ORDER_TYPE_TIME { ORDER_TIME_GTC = 0, ORDER_TIME_DAY = 1, ORDER_TIME_SPECIFIED = 2, ORDER_TIME_SPECIFIED_DAY = 3 };
enum ENUM_ORDER_STATE { ORDER_STATE_STARTED = 0, ORDER_STATE_PLACED = 1, ORDER_STATE_FILLED = 4 };
enum ENUM_DEAL_TYPE { DEAL_TYPE_BUY = 0, DEAL_TYPE_SELL = 1 };
enum ENUM_DEAL_ENTRY { DEAL_ENTRY_IN = 0, DEAL_ENTRY_OUT = 1, DEAL_ENTRY_INOUT = 2, DEAL_ENTRY_OUT_BY = 3 };
enum ENUM_TRADE_REQUEST_ACTIONS {
  TRADE_ACTION_DEAL = 1, TRADE_ACTION_PENDING = 5, TRADE_ACTION_SLTP = 6, TRADE_ACTION_MODIFY = 7,
  TRADE_ACTION_REMOVE = 8, TRADE_ACTION_CLOSE_BY = 10
};
enum ENUM_TRADE_TRANSACTION_TYPE {
  TRADE_TRANSACTION_ORDER_ADD = 0,
  TRADE_TRANSACTION_ORDER_UPDATE = 1,
  TRADE_TRANSACTION_ORDER_DELETE = 2,
  TRADE_TRANSACTION_HISTORY_ADD = 3,
  TRADE_TRANSACTION_HISTORY_UPDATE = 4,
  TRADE_TRANSACTION_HISTORY_DELETE = 5,
  TRADE_TRANSACTION_DEAL_ADD = 6,
  TRADE_TRANSACTION_DEAL_UPDATE = 7,
  TRADE_TRANSACTION_DEAL_DELETE = 8,
  TRADE_TRANSACTION_POSITION = 9,
  TRADE_TRANSACTION_REQUEST = 10
};
enum ENUM_SYMBOL_TRADE_EXECUTION {
  SYMBOL_TRADE_EXECUTION_REQUEST = 0, SYMBOL_TRADE_EXECUTION_INSTANT = 1, SYMBOL_TRADE_EXECUTION_MARKET = 2,
  SYMBOL_TRADE_EXECUTION_EXCHANGE = 3
};
enum ENUM_ACCOUNT_MARGIN_MODE { ACCOUNT_MARGIN_MODE_RETAIL_NETTING = 0, ACCOUNT_MARGIN_MODE_EXCHANGE = 1, ACCOUNT_MARGIN_MODE_RETAIL_HEDGING = 2 };
enum ENUM_ACCOUNT_TRADE_MODE { ACCOUNT_TRADE_MODE_DEMO = 0, ACCOUNT_TRADE_MODE_CONTEST = 1, ACCOUNT_TRADE_MODE_REAL = 2 };
enum ENUM_ACCOUNT_STOPOUT_MODE { ACCOUNT_STOPOUT_MODE_PERCENT = 0, ACCOUNT_STOPOUT_MODE_MONEY = 1 };
enum ENUM_DAY_OF_WEEK { SUNDAY = 0, MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY };
#define SYMBOL_FILLING_FOK 1
#define SYMBOL_FILLING_IOC 2
#define SYMBOL_EXPIRATION_GTC 1

enum ENUM_SYMBOL_INFO_INTEGER {
  SYMBOL_SELECT = 100, SYMBOL_DIGITS, SYMBOL_SPREAD, SYMBOL_TRADE_STOPS_LEVEL, SYMBOL_TRADE_FREEZE_LEVEL,
  SYMBOL_TRADE_CALC_MODE, SYMBOL_TRADE_MODE, SYMBOL_TRADE_EXEMODE, SYMBOL_EXPIRATION_MODE, SYMBOL_FILLING_MODE,
  SYMBOL_ORDER_MODE
};
enum ENUM_SYMBOL_INFO_DOUBLE {
  SYMBOL_POINT = 200, SYMBOL_TRADE_TICK_VALUE_PROFIT, SYMBOL_TRADE_TICK_VALUE_LOSS, SYMBOL_TRADE_TICK_SIZE,
  SYMBOL_TRADE_CONTRACT_SIZE, SYMBOL_VOLUME_MIN, SYMBOL_VOLUME_MAX, SYMBOL_VOLUME_STEP, SYMBOL_VOLUME_LIMIT,
  SYMBOL_MARGIN_INITIAL, SYMBOL_MARGIN_HEDGED
};
enum ENUM_SYMBOL_INFO_STRING { SYMBOL_CURRENCY_BASE = 300, SYMBOL_CURRENCY_PROFIT, SYMBOL_CURRENCY_MARGIN, SYMBOL_DESCRIPTION, SYMBOL_PATH };
enum ENUM_ACCOUNT_INFO_INTEGER {
  ACCOUNT_LOGIN = 400, ACCOUNT_TRADE_MODE, ACCOUNT_LEVERAGE, ACCOUNT_LIMIT_ORDERS, ACCOUNT_MARGIN_SO_MODE,
  ACCOUNT_TRADE_ALLOWED, ACCOUNT_TRADE_EXPERT, ACCOUNT_MARGIN_MODE, ACCOUNT_CURRENCY_DIGITS, ACCOUNT_FIFO_CLOSE
};
enum ENUM_ACCOUNT_INFO_DOUBLE {
  ACCOUNT_BALANCE = 500, ACCOUNT_CREDIT, ACCOUNT_PROFIT, ACCOUNT_EQUITY, ACCOUNT_MARGIN, ACCOUNT_MARGIN_FREE,
  ACCOUNT_MARGIN_LEVEL, ACCOUNT_MARGIN_SO_CALL, ACCOUNT_MARGIN_SO_SO
};
enum ENUM_ACCOUNT_INFO_STRING { ACCOUNT_NAME = 600, ACCOUNT_SERVER, ACCOUNT_CURRENCY, ACCOUNT_COMPANY };
enum ENUM_TERMINAL_INFO_INTEGER { TERMINAL_BUILD = 700, TERMINAL_CONNECTED, TERMINAL_TRADE_ALLOWED };
enum ENUM_TERMINAL_INFO_STRING { TERMINAL_COMPANY = 800, TERMINAL_DATA_PATH, TERMINAL_COMMONDATA_PATH };
enum ENUM_MQL_INFO_INTEGER { MQL_TRADE_ALLOWED = 900 };
enum ENUM_POSITION_PROPERTY_INTEGER {
  POSITION_TICKET = 1000, POSITION_TIME_MSC, POSITION_TIME_UPDATE_MSC, POSITION_TYPE, POSITION_MAGIC, POSITION_IDENTIFIER
};
enum ENUM_POSITION_PROPERTY_DOUBLE {
  POSITION_VOLUME = 1100, POSITION_PRICE_OPEN, POSITION_SL, POSITION_TP, POSITION_PRICE_CURRENT, POSITION_SWAP, POSITION_PROFIT
};
enum ENUM_POSITION_PROPERTY_STRING { POSITION_SYMBOL = 1200, POSITION_COMMENT };
enum ENUM_ORDER_PROPERTY_INTEGER {
  ORDER_TICKET = 1300, ORDER_TIME_SETUP_MSC, ORDER_TYPE, ORDER_STATE, ORDER_TIME_EXPIRATION, ORDER_TYPE_FILLING,
  ORDER_TYPE_TIME, ORDER_MAGIC, ORDER_POSITION_ID
};
enum ENUM_ORDER_PROPERTY_DOUBLE {
  ORDER_VOLUME_INITIAL = 1400, ORDER_VOLUME_CURRENT, ORDER_PRICE_OPEN, ORDER_SL, ORDER_TP, ORDER_PRICE_CURRENT, ORDER_PRICE_STOPLIMIT
};
enum ENUM_ORDER_PROPERTY_STRING { ORDER_SYMBOL = 1500, ORDER_COMMENT };
enum ENUM_DEAL_PROPERTY_INTEGER {
  DEAL_ORDER = 1600, DEAL_TIME_MSC, DEAL_TYPE, DEAL_ENTRY, DEAL_MAGIC, DEAL_REASON, DEAL_POSITION_ID
};
enum ENUM_DEAL_PROPERTY_DOUBLE { DEAL_VOLUME = 1700, DEAL_PRICE, DEAL_COMMISSION, DEAL_SWAP, DEAL_PROFIT };
enum ENUM_DEAL_PROPERTY_STRING { DEAL_SYMBOL = 1800, DEAL_COMMENT };

struct MqlTick {
  datetime time = 0;
  double bid = 0, ask = 0, last = 0;
  ulong volume = 0;
  long time_msc = 0;
  uint flags = 0;
  double volume_real = 0;
};
struct MqlDateTime {
  int year = 0, mon = 0, day = 0, hour = 0, min = 0, sec = 0, day_of_week = 0, day_of_year = 0;
};
struct MqlTradeRequest {
  ENUM_TRADE_REQUEST_ACTIONS action = (ENUM_TRADE_REQUEST_ACTIONS)0;
  ulong magic = 0, order = 0;
  string symbol;
  double volume = 0, price = 0, stoplimit = 0, sl = 0, tp = 0;
  ulong deviation = 0;
  ENUM_ORDER_TYPE type = ORDER_TYPE_BUY;
  ENUM_ORDER_TYPE_FILLING type_filling = ORDER_FILLING_FOK;
  ENUM_ORDER_TYPE_TIME type_time = ORDER_TIME_GTC;
  datetime expiration = 0;
  string comment;
  ulong position = 0, position_by = 0;
};
struct MqlTradeResult {
  uint retcode = 0;
  ulong deal = 0, order = 0;
  double volume = 0, price = 0, bid = 0, ask = 0;
  string comment;
  uint request_id = 0;
  uint retcode_external = 0;
};
struct MqlTradeCheckResult {
  uint retcode = 0;
  double balance = 0, equity = 0, profit = 0, margin = 0, margin_free = 0, margin_level = 0;
  string comment;
};
struct MqlTradeTransaction {
  ulong deal = 0, order = 0;
  string symbol;
  ENUM_TRADE_TRANSACTION_TYPE type = TRADE_TRANSACTION_DEAL_ADD;
  ENUM_ORDER_TYPE order_type = ORDER_TYPE_BUY;
  ENUM_ORDER_STATE order_state = ORDER_STATE_STARTED;
  ENUM_DEAL_TYPE deal_type = DEAL_TYPE_BUY;
  ENUM_ORDER_TYPE_TIME time_type = ORDER_TIME_GTC;
  datetime time_expiration = 0;
  double price = 0, price_trigger = 0, price_sl = 0, price_tp = 0, volume = 0;
  ulong position = 0, position_by = 0;
};

template <typename T> void ZeroMemory(T &x) { x = T(); }
inline bool EventSetMillisecondTimer(int ms) { return ms > 0; }
inline void EventKillTimer() {}
inline double NormalizeDouble(double v, int digits) {
  double p = std::pow(10.0, digits);
  return std::round(v * p) / p;
}
inline double MathRound(double v) { return std::round(v); }
inline double MathFloor(double v) { return std::floor(v); }
inline int StringTrimLeft(string &s) {
  size_t i = 0;
  while (i < s.s.size() && (s.s[i] == ' ' || s.s[i] == '\t' || s.s[i] == '\r' || s.s[i] == '\n')) i++;
  s.s.erase(0, i);
  return (int)i;
}
inline int StringTrimRight(string &s) {
  size_t n = 0;
  while (!s.s.empty() && (s.s.back() == ' ' || s.s.back() == '\t' || s.s.back() == '\r' || s.s.back() == '\n')) {
    s.s.pop_back();
    n++;
  }
  return (int)n;
}

// ----- the fake terminal's data -----------------------------------------------------------------------------
struct FakeSymbol {
  std::map<int, long> i;
  std::map<int, double> d;
  std::map<int, std::u16string> s;
  MqlTick tick;
};
struct FakeRow {  // a position, order, history order or deal
  std::map<int, long> i;
  std::map<int, double> d;
  std::map<int, std::u16string> s;
};
struct FakeTerminal {
  std::map<int, long> accI;
  std::map<int, double> accD;
  std::map<int, std::u16string> accS;
  std::map<int, long> termI;
  std::map<int, std::u16string> termS;
  long mqlTradeAllowed = 1;
  std::vector<std::pair<std::u16string, FakeSymbol>> symbols;
  std::vector<FakeRow> positions, orders, historyOrders, deals;
  // UTC, and the trade server's clock as an offset from it (a UTC+3 server unless a scenario changes it).
  long gmtSeconds = 1799942400 - 10800;
  long serverOffsetSec = 10800;
  std::deque<uint> sendRetcodes;   // OrderSend answers in order (default 10009)
  std::deque<uint> checkRetcodes;  // OrderCheck answers in order (default 0)
  std::vector<MqlTradeRequest> sent;
  std::vector<MqlTradeRequest> checked;
  // Common\Files\Pipdesk\token.txt and pipe.txt (scripted mode; live mode reads real files).
  std::u16string token = u"0f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a6978";
  bool tokenFile = true;
  std::u16string pipeName = u"pipdesk-1a2b3c4d5e6f7a8b";
  bool pipeFile = true;
};
extern FakeTerminal g_term;
extern int g_selected_position;
extern int g_selected_order;

inline FakeSymbol *pd_sym(const string &name) {
  for (auto &p : g_term.symbols)
    if (p.first == name.s) return &p.second;
  return nullptr;
}

inline long AccountInfoInteger(ENUM_ACCOUNT_INFO_INTEGER p) { return g_term.accI[p]; }
inline double AccountInfoDouble(ENUM_ACCOUNT_INFO_DOUBLE p) { return g_term.accD[p]; }
inline string AccountInfoString(ENUM_ACCOUNT_INFO_STRING p) { return string(g_term.accS[p]); }
inline int TerminalInfoInteger(ENUM_TERMINAL_INFO_INTEGER p) { return (int)g_term.termI[p]; }
inline string TerminalInfoString(ENUM_TERMINAL_INFO_STRING p) { return string(g_term.termS[p]); }
inline int MQLInfoInteger(ENUM_MQL_INFO_INTEGER) { return (int)g_term.mqlTradeAllowed; }
inline datetime TimeGMT() { return g_term.gmtSeconds; }
inline datetime TimeLocal() { return g_term.gmtSeconds + 3600; }
// Microseconds since the program started: the fake's millisecond clock times 1000 plus a varying remainder.
inline ulong GetMicrosecondCount() {
  static ulong extra = 0;
  extra = (extra + 337) % 1000;
  return g_fake_ms * 1000 + extra;
}
extern unsigned g_rand_state;
inline void MathSrand(int seed) { g_rand_state = (unsigned)seed; }
inline int MathRand() {
  g_rand_state = g_rand_state * 1103515245u + 12345u;
  return (int)((g_rand_state >> 16) & 0x7fff);
}
inline datetime TimeTradeServer() { return g_term.gmtSeconds + g_term.serverOffsetSec; }
inline bool TimeToStruct(datetime t, MqlDateTime &out) {
  long s = (long)t;
  out = MqlDateTime();
  out.hour = (int)((s / 3600) % 24);
  out.min = (int)((s / 60) % 60);
  out.sec = (int)(s % 60);
  out.day_of_week = (int)((s / 86400 + 4) % 7); // 1970-01-01 was a Thursday
  return true;
}

inline int SymbolsTotal(bool) { return (int)g_term.symbols.size(); }
inline string SymbolName(int i, bool) {
  if (i < 0 || i >= (int)g_term.symbols.size()) return string();
  return string(g_term.symbols[(size_t)i].first);
}
inline bool SymbolSelect(const string &name, bool) {
  FakeSymbol *s = pd_sym(name);
  if (s == nullptr) {
    g_last_error = 4301;
    return false;
  }
  s->i[SYMBOL_SELECT] = 1;
  return true;
}
inline long SymbolInfoInteger(const string &name, ENUM_SYMBOL_INFO_INTEGER p) {
  FakeSymbol *s = pd_sym(name);
  return s == nullptr ? 0 : s->i[p];
}
inline double SymbolInfoDouble(const string &name, ENUM_SYMBOL_INFO_DOUBLE p) {
  FakeSymbol *s = pd_sym(name);
  return s == nullptr ? 0 : s->d[p];
}
inline string SymbolInfoString(const string &name, ENUM_SYMBOL_INFO_STRING p) {
  FakeSymbol *s = pd_sym(name);
  return s == nullptr ? string() : string(s->s[p]);
}
inline bool SymbolInfoTick(const string &name, MqlTick &t) {
  FakeSymbol *s = pd_sym(name);
  if (s == nullptr) return false;
  t = s->tick;
  return true;
}
inline bool SymbolInfoMarginRate(const string &name, ENUM_ORDER_TYPE, double &initial, double &maintenance) {
  if (pd_sym(name) == nullptr) return false;
  initial = 1.0;
  maintenance = 1.0;
  return true;
}
// One session per weekday, 00:00-24:00 (MT5 reports the end as 86400 seconds).
inline bool SymbolInfoSessionTrade(const string &name, ENUM_DAY_OF_WEEK day, uint index, datetime &from, datetime &to) {
  if (pd_sym(name) == nullptr || index > 0 || day == SATURDAY || day == SUNDAY) return false;
  from = 0;
  to = 86400;
  return true;
}
inline bool OrderCalcMargin(ENUM_ORDER_TYPE, const string &name, double volume, double price, double &margin) {
  FakeSymbol *s = pd_sym(name);
  if (s == nullptr) return false;
  margin = volume * s->d[SYMBOL_TRADE_CONTRACT_SIZE] * price / (double)g_term.accI[ACCOUNT_LEVERAGE];
  return true;
}
inline bool OrderCheck(const MqlTradeRequest &r, MqlTradeCheckResult &c) {
  g_term.checked.push_back(r);
  uint code = 0;
  if (!g_term.checkRetcodes.empty()) {
    code = g_term.checkRetcodes.front();
    g_term.checkRetcodes.pop_front();
  }
  c.retcode = code;
  c.balance = g_term.accD[ACCOUNT_BALANCE];
  c.equity = g_term.accD[ACCOUNT_EQUITY];
  c.margin = 21.7;
  c.margin_free = c.equity - c.margin;
  c.margin_level = c.equity / c.margin * 100.0;
  c.comment = code == 0 ? string("Done") : string("Rejected by check");
  return code == 0;
}
inline bool OrderSend(const MqlTradeRequest &r, MqlTradeResult &res) {
  g_term.sent.push_back(r);
  uint code = 10009;
  if (!g_term.sendRetcodes.empty()) {
    code = g_term.sendRetcodes.front();
    g_term.sendRetcodes.pop_front();
  }
  res.retcode = code;
  res.request_id = (uint)g_term.sent.size();
  res.comment = code == 10009 ? string("Request executed") : string("Server said no");
  if (code == 10009 || code == 10008) {
    res.order = 5000000000ULL + g_term.sent.size();
    res.deal = code == 10009 ? 6000000000ULL + g_term.sent.size() : 0;
    res.volume = r.volume;
    res.price = r.price;
  }
  FakeSymbol *s = pd_sym(r.symbol);
  if (s != nullptr) {
    res.bid = s->tick.bid;
    res.ask = s->tick.ask;
  }
  return true;
}

inline int PositionsTotal() { return (int)g_term.positions.size(); }
inline ulong PositionGetTicket(int i) {
  if (i < 0 || i >= (int)g_term.positions.size()) return 0;
  g_selected_position = i;
  return (ulong)g_term.positions[(size_t)i].i[POSITION_TICKET];
}
inline bool PositionSelectByTicket(ulong t) {
  for (size_t i = 0; i < g_term.positions.size(); i++)
    if ((ulong)g_term.positions[i].i[POSITION_TICKET] == t) {
      g_selected_position = (int)i;
      return true;
    }
  return false;
}
inline FakeRow &pd_pos() {
  if (g_selected_position < 0 || g_selected_position >= (int)g_term.positions.size())
    throw MqlViolation("no position selected");
  return g_term.positions[(size_t)g_selected_position];
}
inline long PositionGetInteger(ENUM_POSITION_PROPERTY_INTEGER p) { return pd_pos().i[p]; }
inline double PositionGetDouble(ENUM_POSITION_PROPERTY_DOUBLE p) { return pd_pos().d[p]; }
inline string PositionGetString(ENUM_POSITION_PROPERTY_STRING p) { return string(pd_pos().s[p]); }

inline int OrdersTotal() { return (int)g_term.orders.size(); }
inline ulong OrderGetTicket(int i) {
  if (i < 0 || i >= (int)g_term.orders.size()) return 0;
  g_selected_order = i;
  return (ulong)g_term.orders[(size_t)i].i[ORDER_TICKET];
}
inline bool OrderSelect(ulong t) {
  for (size_t i = 0; i < g_term.orders.size(); i++)
    if ((ulong)g_term.orders[i].i[ORDER_TICKET] == t) {
      g_selected_order = (int)i;
      return true;
    }
  return false;
}
inline FakeRow &pd_ord() {
  if (g_selected_order < 0 || g_selected_order >= (int)g_term.orders.size()) throw MqlViolation("no order selected");
  return g_term.orders[(size_t)g_selected_order];
}
inline long OrderGetInteger(ENUM_ORDER_PROPERTY_INTEGER p) { return pd_ord().i[p]; }
inline double OrderGetDouble(ENUM_ORDER_PROPERTY_DOUBLE p) { return pd_ord().d[p]; }
inline string OrderGetString(ENUM_ORDER_PROPERTY_STRING p) { return string(pd_ord().s[p]); }

// History: every history order and deal is "selected" by HistorySelect when its time falls in the range.
extern std::vector<size_t> g_hist_orders, g_hist_deals;
inline bool HistorySelect(datetime from, datetime to) {
  g_hist_orders.clear();
  g_hist_deals.clear();
  for (size_t i = 0; i < g_term.historyOrders.size(); i++) {
    long t = g_term.historyOrders[i].i[ORDER_TIME_SETUP_MSC] / 1000;
    if (t >= (long)from && t <= (long)to) g_hist_orders.push_back(i);
  }
  for (size_t i = 0; i < g_term.deals.size(); i++) {
    long t = g_term.deals[i].i[DEAL_TIME_MSC] / 1000;
    if (t >= (long)from && t <= (long)to) g_hist_deals.push_back(i);
  }
  return true;
}
inline int HistoryOrdersTotal() { return (int)g_hist_orders.size(); }
inline ulong HistoryOrderGetTicket(int i) {
  if (i < 0 || i >= (int)g_hist_orders.size()) return 0;
  return (ulong)g_term.historyOrders[g_hist_orders[(size_t)i]].i[ORDER_TICKET];
}
inline FakeRow *pd_hist_order(ulong t) {
  for (size_t k : g_hist_orders)
    if ((ulong)g_term.historyOrders[k].i[ORDER_TICKET] == t) return &g_term.historyOrders[k];
  return nullptr;
}
inline long HistoryOrderGetInteger(ulong t, ENUM_ORDER_PROPERTY_INTEGER p) {
  FakeRow *r = pd_hist_order(t);
  return r == nullptr ? 0 : r->i[p];
}
inline string HistoryOrderGetString(ulong t, ENUM_ORDER_PROPERTY_STRING p) {
  FakeRow *r = pd_hist_order(t);
  return r == nullptr ? string() : string(r->s[p]);
}
inline int HistoryDealsTotal() { return (int)g_hist_deals.size(); }
inline ulong HistoryDealGetTicket(int i) {
  if (i < 0 || i >= (int)g_hist_deals.size()) return 0;
  return (ulong)g_term.deals[g_hist_deals[(size_t)i]].i[-1];
}
inline FakeRow *pd_deal(ulong t) {
  for (size_t k : g_hist_deals)
    if ((ulong)g_term.deals[k].i[-1] == t) return &g_term.deals[k];
  return nullptr;
}
inline long HistoryDealGetInteger(ulong t, ENUM_DEAL_PROPERTY_INTEGER p) {
  FakeRow *r = pd_deal(t);
  return r == nullptr ? 0 : r->i[p];
}
inline double HistoryDealGetDouble(ulong t, ENUM_DEAL_PROPERTY_DOUBLE p) {
  FakeRow *r = pd_deal(t);
  return r == nullptr ? 0 : r->d[p];
}
inline string HistoryDealGetString(ulong t, ENUM_DEAL_PROPERTY_STRING p) {
  FakeRow *r = pd_deal(t);
  return r == nullptr ? string() : string(r->s[p]);
}

// ----- terminal global variables, ChartID, Alert ---------------------------------------------------------------
// Global variables are shared by every program of one terminal. With $PIPDESK_GV_FILE set they live in that file
// (one "name<TAB>value" line each), every call holding flock on it, so several EA processes of the live harness
// share them as the EAs of one terminal do and GlobalVariableSetOnCondition is atomic across them; otherwise they
// live in this process's memory, where the scenario driver can set and print them.
extern std::map<std::u16string, double> g_globals;
template <typename F> auto pd_globals(F f) -> decltype(f(g_globals)) {
  const char *path = std::getenv("PIPDESK_GV_FILE");
  if (path == nullptr) return f(g_globals);
  int fd = ::open(path, O_RDWR | O_CREAT, 0600);
  if (fd < 0) throw MqlViolation("cannot open $PIPDESK_GV_FILE");
  ::flock(fd, LOCK_EX);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, (size_t)n);
  std::map<std::u16string, double> vars;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    size_t tab = line.find('\t');
    if (tab != std::string::npos) vars[pd_utf8_to_u16(line.substr(0, tab))] = std::strtod(line.c_str() + tab + 1, nullptr);
    at = end == std::string::npos ? text.size() : end + 1;
  }
  auto result = f(vars);
  std::string out;
  for (auto &v : vars) {
    char num[64];
    std::snprintf(num, sizeof num, "%.17g", v.second);
    out += pd_u16_to_utf8(v.first) + "\t" + num + "\n";
  }
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, out.data(), out.size(), 0) != (ssize_t)out.size())
    throw MqlViolation("cannot write $PIPDESK_GV_FILE");
  ::flock(fd, LOCK_UN);
  ::close(fd);
  return result;
}
inline void pd_check_gv_name(const string &name) {
  if (name.s.empty() || name.s.size() > 63) throw MqlViolation("global variable name must be 1-63 characters");
}
inline bool GlobalVariableCheck(const string &name) {
  pd_check_gv_name(name);
  return pd_globals([&](std::map<std::u16string, double> &v) { return v.count(name.s) > 0; });
}
// Creates the variable with value 0 when it does not exist; an existing one keeps its value.
inline bool GlobalVariableTemp(const string &name) {
  pd_check_gv_name(name);
  return pd_globals([&](std::map<std::u16string, double> &v) {
    v.emplace(name.s, 0.0);
    return true;
  });
}
inline double GlobalVariableGet(const string &name) {
  pd_check_gv_name(name);
  return pd_globals([&](std::map<std::u16string, double> &v) {
    auto it = v.find(name.s);
    if (it == v.end()) {
      g_last_error = 4501; // ERR_GLOBALVARIABLE_NOT_FOUND
      return 0.0;
    }
    return it->second;
  });
}
// GlobalVariableSet creates a missing variable as a permanent one (the Reference: "If the variable does not exist,
// the system creates a new global variable"); the fake notes every such creation in g_gv_permanent.
extern std::vector<std::string> g_gv_permanent;
inline datetime GlobalVariableSet(const string &name, double value) {
  pd_check_gv_name(name);
  pd_globals([&](std::map<std::u16string, double> &v) {
    if (v.count(name.s) == 0) g_gv_permanent.push_back(pd_u16_to_utf8(name.s));
    v[name.s] = value;
    return true;
  });
  return TimeTradeServer();
}
inline bool GlobalVariableSetOnCondition(const string &name, double value, double check) {
  pd_check_gv_name(name);
  return pd_globals([&](std::map<std::u16string, double> &v) {
    auto it = v.find(name.s);
    if (it == v.end()) {
      g_last_error = 4501;
      return false;
    }
    if (it->second != check) return false;
    it->second = value;
    return true;
  });
}
// The chart the EA runs on: $PIPDESK_CHART_ID, or a fixed id of the size MT5 uses.
inline long ChartID() {
  const char *id = std::getenv("PIPDESK_CHART_ID");
  return id != nullptr ? std::atol(id) : 132000000000000001L;
}
// Alerts are recorded (the scenario driver prints them with its stats) and, in live mode, written to stdout.
extern std::vector<std::string> g_alerts;
inline void Alert(const string &text) {
  g_alerts.push_back(pd_u16_to_utf8(text.s));
#ifdef PD_REAL_SOCKET
  std::printf("#alert %s\n", pd_u16_to_utf8(text.s).c_str());
  std::fflush(stdout);
#endif
}

// The text files the EA reads (token.txt, pipe.txt) by handle, as pd_open_other_file opened them; the pipe is
// handle 1 (mql5-shim.h). FileReadString on a FILE_TXT file reads one line.
extern std::map<int, std::string> g_open_files;
inline string FileReadString(int h, int = 0) {
  auto it = g_open_files.find(h);
  if (it == g_open_files.end()) throw MqlViolation("FileReadString on a handle that is not an open text file");
  std::string line = it->second.substr(0, it->second.find_first_of("\r\n"));
  return string(pd_utf8_to_u16(line));
}

// ----- chart bars (CopyRates) ----------------------------------------------------------------------------------
// A fixed fake history: bar k back from the forming bar (k = 0) closes k points below the current bid, so a test
// can tell rows apart and check their order. A symbol without a quote has no history (error 4401).
enum ENUM_TIMEFRAMES {
  PERIOD_CURRENT = 0, PERIOD_M1 = 1, PERIOD_M2 = 2, PERIOD_M3 = 3, PERIOD_M4 = 4, PERIOD_M5 = 5, PERIOD_M6 = 6,
  PERIOD_M10 = 10, PERIOD_M12 = 12, PERIOD_M15 = 15, PERIOD_M20 = 20, PERIOD_M30 = 30, PERIOD_H1 = 16385,
  PERIOD_H2 = 16386, PERIOD_H3 = 16387, PERIOD_H4 = 16388, PERIOD_H6 = 16390, PERIOD_H8 = 16392,
  PERIOD_H12 = 16396, PERIOD_D1 = 16408, PERIOD_W1 = 32769, PERIOD_MN1 = 49153
};
struct MqlRates {
  datetime time = 0;
  double open = 0, high = 0, low = 0, close = 0;
  long tick_volume = 0;
  int spread = 0;
  long real_volume = 0;
};
constexpr long PD_FAKE_BARS = 20000;
inline long pd_period_seconds(ENUM_TIMEFRAMES tf) {
  int v = (int)tf;
  if (v == PERIOD_MN1) return 30L * 86400; // the fake's months are 30 days long
  if (v == PERIOD_W1) return 7L * 86400;
  if (v >= PERIOD_H1) return (long)(v - 16384) * 3600;
  return (long)v * 60;
}
inline MqlRates pd_fake_bar(const FakeSymbol &s, ENUM_TIMEFRAMES tf, long k) {
  long p = pd_period_seconds(tf);
  double point = 1.0;
  for (long d = s.i.count(SYMBOL_DIGITS) ? s.i.at(SYMBOL_DIGITS) : 0; d > 0; d--) point /= 10.0;
  MqlRates r;
  r.time = ((long)TimeTradeServer() / p) * p - k * p;
  r.close = s.tick.bid - (double)k * point;
  r.open = r.close;
  r.high = r.close + 2 * point;
  r.low = r.close - 2 * point;
  r.tick_volume = 100 + k;
  r.spread = 10;
  return r;
}
template <typename T> bool ArraySetAsSeries(MqlArray<T> &, bool series) {
  if (series) throw MqlViolation("ArraySetAsSeries(true) is not faked");
  return true;
}
// By position: `count` bars ending `start` bars before the forming one, oldest first.
inline int CopyRates(const string &name, ENUM_TIMEFRAMES tf, int start, int count, MqlArray<MqlRates> &out) {
  FakeSymbol *s = pd_sym(name);
  if (s == nullptr || s->tick.bid <= 0) {
    g_last_error = 4401;
    return -1;
  }
  out.v.clear();
  for (long k = (long)start + count - 1; k >= start; k--)
    if (k < PD_FAKE_BARS) out.v.push_back(pd_fake_bar(*s, tf, k));
  return (int)out.v.size();
}
// By time: the bars whose open time is in [from, to] seconds, oldest first.
inline int CopyRates(const string &name, ENUM_TIMEFRAMES tf, datetime from, datetime to, MqlArray<MqlRates> &out) {
  FakeSymbol *s = pd_sym(name);
  if (s == nullptr || s->tick.bid <= 0) {
    g_last_error = 4401;
    return -1;
  }
  out.v.clear();
  for (long k = PD_FAKE_BARS - 1; k >= 0; k--) {
    MqlRates r = pd_fake_bar(*s, tf, k);
    if (r.time >= from && r.time <= to) out.v.push_back(r);
  }
  return (int)out.v.size();
}
