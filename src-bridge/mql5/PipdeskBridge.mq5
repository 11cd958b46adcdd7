//+------------------------------------------------------------------+
//| PipdeskBridge.mq5 - Pipdesk bridge Expert Advisor.               |
//|                                                                  |
//| Connects this terminal to the Pipdesk app over a named pipe and  |
//| carries out what the app asks: quotes, account and symbol data,  |
//| positions, orders, history, margin, order checks and orders.     |
//| The app is the pipe server; this EA is the client (FileOpen, no  |
//| DLL imports). Protocol: docs/bridge-protocol.md (version 2: the  |
//| app and the EA prove to each other that they hold the pairing    |
//| token; the token itself never crosses the pipe).                 |
//|                                                                  |
//| Install: this file in MQL5\Experts, Include\Pipdesk\*.mqh in     |
//| MQL5\Include\Pipdesk, compile in MetaEditor, attach to one chart |
//| per terminal and allow Algo Trading.                             |
//+------------------------------------------------------------------+
#property copyright "Pipdesk"
#property version   "2.10"
#property description "Pipdesk bridge: lets the Pipdesk app trade through this terminal over a local named pipe."

#include <Pipdesk/Json.mqh>
#include <Pipdesk/Util.mqh>
#include <Pipdesk/Pipe.mqh>
#include <Pipdesk/Auth.mqh>
#include <Pipdesk/Market.mqh>
#include <Pipdesk/Trade.mqh>
#include <Pipdesk/Rates.mqh>

#define PD_EA_VERSION         "2.10"
#define PD_PROTOCOL_VERSION   2
#define PD_MAX_FRAME_BYTES    1048576
// The app's welcome may raise the frame limit; the EA never buffers more than this.
#define PD_MAX_FRAME_CAP      8388608
#define PD_TOKEN_FILE         "Pipdesk\\token.txt"
// The app's pipe name, written by the app next to the token (used when InpPipeName is empty).
#define PD_PIPE_FILE          "Pipdesk\\pipe.txt"
// From hello to welcome (challenge and auth included).
#define PD_WELCOME_TIMEOUT_MS 10000
// After an answer on the pipe that could not prove it holds the token: a possible impostor.
#define PD_IMPOSTOR_WAIT_MS   30000
#define PD_REFUSED_WAIT_MS    10000
#define PD_SHUTDOWN_WAIT_MS   5000
#define PD_REPLACED_WAIT_MS   60000
#define PD_ACCOUNT_EVENT_MS   250
#define PD_MAX_SUBSCRIPTIONS  256
// Deals one trade event names at most (docs/bridge-protocol.md, "trade"); more are sent in another event.
#define PD_MAX_TRADE_DEALS    1000
// After the terminal (re)connects to the trade server it refills positions, orders and history; until it has been
// connected this long, "no trace of a clOrdId" could only mean "not synchronised yet" (docs/order-lifecycle.md,
// When absence is proof).
#define PD_SYNC_SETTLE_MS     5000
// One EA per account and pipe talks to the app (docs/mql5-functions.md, One EA per account): a terminal global
// variable holds the owner's id, a second one its heartbeat. A lock whose heartbeat is older than PD_LOCK_STALE_MS
// belongs to an EA that died without OnDeinit; it is that long because a live owner stuck in a slow OrderSend
// cannot beat either.
#define PD_LOCK_BEAT_MS       1000
#define PD_LOCK_STALE_MS      120000
// welcome's timing values the EA accepts (docs/mql5-functions.md, "Handshake"): a 1 ms heartbeat would make the EA
// write on every timer call, and a silence shorter than two heartbeats would drop a healthy link.
#define PD_MIN_HEARTBEAT_MS   500
#define PD_MAX_HEARTBEAT_MS   60000
#define PD_MIN_SILENCE_MS     2000
#define PD_MAX_SILENCE_MS     600000
#define PD_MIN_FRAME_BYTES    4096
// Longest message type and app-supplied text the EA logs or echoes (RequestId allows 64 characters).
#define PD_MAX_ID_CHARS       64
#define PD_MAX_ECHO_CHARS     64
#define PD_MAX_LOG_CHARS      500
// ORDER_FILLING_BOC, ACCOUNT_FIFO_CLOSE and GetTickCount64 need a recent terminal (docs/mql5-functions.md,
// "Minimum terminal build"); OnInit refuses to start below this build instead of failing at the first call.
#define PD_MIN_TERMINAL_BUILD 4000

#define PD_STATE_OFFLINE         0
#define PD_STATE_AWAIT_CHALLENGE 1
#define PD_STATE_AWAIT_WELCOME   2
#define PD_STATE_READY           3

input string InpPipeName = "";          // Pipe name; empty: the one the app wrote to Common\Files\Pipdesk\pipe.txt
input ulong  InpMagic    = 0;          // Magic number for trades the app sends with magic "0"
input int    InpTimerMs  = 20;         // Timer period in ms (pipe polling, ticks, heartbeats)

PdPipe       g_pipe;
PdDedupTable g_dedup;
PdActionLog  g_actions;
int          g_state = PD_STATE_OFFLINE;
ulong        g_helloAtMs = 0;
// Held from the connection attempt to the app's proof, then forgotten; never written to the pipe.
string       g_token = "";
string       g_eaNonce = "";
string       g_previousNonce = "";
long         g_nonceCounter = 0;
bool         g_randSeeded = false;
string       g_waitingFor = "";
bool         g_alertedImpostor = false;
int          g_heartbeatMs = 5000;
int          g_silenceMs = 15000;
int          g_maxFrame = PD_MAX_FRAME_BYTES;
string       g_sessionId = "";
ulong        g_lastAccountCheckMs = 0;
string       g_lastAccountJson = "";
bool         g_loggedWaitingForAccount = false;
bool         g_loggedWaitingForServer = false;
bool         g_terminalConnected = false;
ulong        g_connectedAtMs = 0;
double       g_instanceId = 0.0;
string       g_lockName = "";
bool         g_lockHeld = false;
ulong        g_lockBeatMs = 0;
bool         g_alertedDuplicate = false;
bool         g_alertedReplaced = false;
bool         g_lookupRefused = false;

string       g_subSymbols[];
long         g_subLastMsc[];
double       g_subLastBid[];
double       g_subLastAsk[];
int          g_subCount = 0;

// The connection's form of trade_events (docs/bridge-protocol.md): false, one txn event per OnTradeTransaction;
// true, the calls are counted here and the next Service() sends them as one trade event.
bool         g_tradeChanges = false;
int          g_tradeTxns = 0;
ulong        g_tradeDeals[];
int          g_tradeDealCount = 0;

//+------------------------------------------------------------------+
//| Event handlers                                                   |
//+------------------------------------------------------------------+
int OnInit()
  {
   int build=TerminalInfoInteger(TERMINAL_BUILD);
   if(build<PD_MIN_TERMINAL_BUILD)
     {
      Print("Pipdesk: this terminal is build ",build,"; the Pipdesk bridge needs MetaTrader 5 build ",
            PD_MIN_TERMINAL_BUILD," or newer. Update the terminal (Help, Check Desktop Updates) and attach the EA again.");
      return(INIT_FAILED);
     }
   if(InpPipeName!="" && !ValidPipeName(InpPipeName))
     {
      Print("Pipdesk: InpPipeName must be empty (use the app's pipe.txt) or a bare pipe name such as pipdesk-1a2b3c4d5e6f7a8b");
      return(INIT_PARAMETERS_INCORRECT);
     }
   if(InpTimerMs<1 || InpTimerMs>1000)
     {
      Print("Pipdesk: InpTimerMs must be between 1 and 1000");
      return(INIT_PARAMETERS_INCORRECT);
     }
   g_pipe.Init(InpPipeName,PD_MAX_FRAME_BYTES);
   ArrayResize(g_tradeDeals,PD_MAX_TRADE_DEALS);
   // One EA per chart, so the chart id tells instances apart; reduced below 2^52 to stay exact in a double.
   g_instanceId=(double)((ulong)ChartID()%4503599627370449)+1.0;
   if(!EventSetMillisecondTimer(InpTimerMs))
     {
      PrintFormat("Pipdesk: EventSetMillisecondTimer(%d) failed, error %d",InpTimerMs,GetLastError());
      return(INIT_FAILED);
     }
   if(InpPipeName=="")
      PrintFormat("Pipdesk bridge %s (protocol %d): connecting to the pipe named in %s\\Files\\%s",PD_EA_VERSION,
                  PD_PROTOCOL_VERSION,TerminalInfoString(TERMINAL_COMMONDATA_PATH),PD_PIPE_FILE);
   else
      PrintFormat("Pipdesk bridge %s (protocol %d): connecting to %s",PD_EA_VERSION,PD_PROTOCOL_VERSION,g_pipe.Path());
   return(INIT_SUCCEEDED);
  }

void OnDeinit(const int reason)
  {
   EventKillTimer();
   if(g_pipe.IsOpen() && g_state==PD_STATE_READY)
      SendBye("SHUTDOWN","the EA was removed or the terminal is closing (reason "+IntegerToString(reason)+")");
   CloseLink("EA stopped");
   ReleaseInstanceLock();
  }

void OnTimer()
  {
   Service();
  }

// OnTick fires only for the chart's symbol; ticks of other symbols are polled in OnTimer. Servicing here too
// only lowers latency.
void OnTick()
  {
   Service();
  }

void OnTradeTransaction(const MqlTradeTransaction &trans,const MqlTradeRequest &request,const MqlTradeResult &result)
  {
   if(g_state!=PD_STATE_READY)
      return;
   if(g_tradeChanges)
     {
      g_tradeTxns++;
      if(trans.type==TRADE_TRANSACTION_DEAL_ADD && trans.deal!=0)
        {
         g_tradeDeals[g_tradeDealCount]=trans.deal;
         g_tradeDealCount++;
         if(g_tradeDealCount>=PD_MAX_TRADE_DEALS)
            FlushTradeEvent();
        }
      return;
     }
   int digits=(trans.symbol=="") ? 8 : PdSymbolDigits(trans.symbol);
   PdJsonWriter w;
   w.BeginObject();
   w.Str("type","txn");
   w.Int("txnType",(long)trans.type);
   w.U64("order",trans.order);
   w.U64("deal",trans.deal);
   w.U64("position",trans.position);
   w.U64("positionBy",trans.position_by);
   w.Str("symbol",trans.symbol);
   w.Int("orderType",(long)trans.order_type);
   w.Int("orderState",(long)trans.order_state);
   w.Int("dealType",(long)trans.deal_type);
   w.Num("price",trans.price,digits);
   w.Num("volume",trans.volume,8);
   w.Num("sl",trans.price_sl,digits);
   w.Num("tp",trans.price_tp,digits);
   // Only a REQUEST transaction carries the request and its result.
   if(trans.type==TRADE_TRANSACTION_REQUEST)
     {
      w.Int("retcode",(long)result.retcode);
      w.Int("requestId",(long)result.request_id);
      w.Str("comment",request.comment);
     }
   w.EndObject();
   g_pipe.SendLine(w.Text());
  }

// Sends the transactions counted since the last trade event, if there were any: MT5 calls OnTradeTransaction after
// the handler that sent the orders returns, so a timer call's orders are reported by the next one, together.
void FlushTradeEvent()
  {
   if(g_tradeTxns==0)
      return;
   PdJsonWriter w;
   w.BeginObject();
   w.Str("type","trade");
   w.Int("txns",g_tradeTxns);
   w.BeginArray("deals");
   for(int i=0; i<g_tradeDealCount; i++)
      w.StrItem(PdU64(g_tradeDeals[i]));
   w.EndArray();
   w.EndObject();
   g_tradeTxns=0;
   g_tradeDealCount=0;
   g_pipe.SendLine(w.Text());
  }

//+------------------------------------------------------------------+
//| Link and session                                                 |
//+------------------------------------------------------------------+
void Service()
  {
   TrackConnection();
   if(g_lockHeld && !KeepInstanceLock())
     {
      Print("Pipdesk: another copy of this EA took over the link to the app; this copy stops talking to it");
      if(g_pipe.IsOpen())
         CloseLink("another EA instance took over");
     }
   if(!g_pipe.IsOpen())
     {
      if(g_state!=PD_STATE_OFFLINE)
         ResetSession();
      if(!g_pipe.AttemptDue() || !AccountReady() || !PrepareAttempt())
         return;
      if(!g_pipe.TryOpen())
        {
         g_token="";
         return;
        }
      if(!SendHello())
        {
         CloseLink("hello could not be sent");
         return;
        }
      g_state=PD_STATE_AWAIT_CHALLENGE;
      g_helloAtMs=GetTickCount64();
     }
   if(!g_pipe.Pump())
     {
      ResetSession();
      return;
     }
   string line="";
   bool validUtf8=true;
   while(g_pipe.IsOpen() && g_pipe.NextLine(line,validUtf8))
     {
      if(!validUtf8)
        {
         SendError("BAD_JSON","frame is not valid UTF-8","");
         continue;
        }
      HandleLine(line);
     }
   if(!g_pipe.IsOpen())
     {
      ResetSession();
      return;
     }
   if(g_pipe.FrameTooLarge())
     {
      SendError("FRAME_TOO_LARGE","frame longer than "+IntegerToString(g_maxFrame)+" bytes","");
      CloseLink("frame too large");
      return;
     }
   // Deadlines are compared as "last + period < now": GetTickCount64 is a ulong, and a subtraction would wrap
   // around if a send in this same call moved LastTxMs past a `now` read earlier.
   ulong now=GetTickCount64();
   if((g_state==PD_STATE_AWAIT_CHALLENGE || g_state==PD_STATE_AWAIT_WELCOME) && g_helloAtMs+PD_WELCOME_TIMEOUT_MS<now)
     {
      CloseLink(g_state==PD_STATE_AWAIT_CHALLENGE ? "no challenge from the app" : "no welcome from the app");
      return;
     }
   if(g_pipe.LastRxMs()+(ulong)g_silenceMs<now)
     {
      if(g_state==PD_STATE_READY)
         SendBye("SILENCE","nothing received for "+IntegerToString(g_silenceMs)+" ms");
      CloseLink("the app went silent");
      return;
     }
   if(g_state!=PD_STATE_READY)
      return;
   // The app settles orders whose lookup was refused when a session opens: once the terminal is synchronised
   // again, a fresh session tells it to ask now (protocol v1 has no event for "synchronised").
   string why="";
   if(g_lookupRefused && TradeServerSynced(why))
     {
      Print("Pipdesk: synchronised with the trade server again; reconnecting so the app re-checks its orders");
      CloseLink("reconnecting after the trade server link came back");
      return;
     }
   FlushTradeEvent();
   PumpTicks();
   PumpAccount(false);
   // Heartbeats only after welcome: before it the app accepts nothing but hello.
   if(g_pipe.IsOpen() && g_pipe.LastTxMs()+(ulong)g_heartbeatMs<=GetTickCount64())
      g_pipe.SendLine("{\"type\":\"hb\"}");
  }

// The hello needs the account identity; a terminal that is not logged in yet has none. It also waits until the
// terminal is connected to the trade server and has had PD_SYNC_SETTLE_MS to synchronise: the app reconciles
// open orders as soon as a session opens, and a terminal just started has an empty account until then.
bool AccountReady()
  {
   bool ready=(AccountInfoInteger(ACCOUNT_LOGIN)!=0 && AccountInfoString(ACCOUNT_SERVER)!="");
   if(!ready && !g_loggedWaitingForAccount)
      Print("Pipdesk: waiting for the terminal to log in to a trade account");
   g_loggedWaitingForAccount=!ready;
   if(!ready)
      return(false);
   string why="";
   bool synced=TradeServerSynced(why);
   if(!synced && !g_loggedWaitingForServer)
      Print("Pipdesk: waiting before connecting to the app: "+why);
   g_loggedWaitingForServer=!synced;
   return(synced);
  }

// Notes when the terminal's link to the trade server comes up (called on every Service).
void TrackConnection()
  {
   bool connected=(TerminalInfoInteger(TERMINAL_CONNECTED)!=0);
   if(connected && !g_terminalConnected)
      g_connectedAtMs=GetTickCount64();
   g_terminalConnected=connected;
  }

// True when the terminal's positions, orders and history can be trusted to be complete: connected to the trade
// server for at least PD_SYNC_SETTLE_MS. `why` says what is missing otherwise.
bool TradeServerSynced(string &why)
  {
   TrackConnection();
   if(!g_terminalConnected)
     {
      why="the terminal is not connected to the trade server";
      return(false);
     }
   if(g_connectedAtMs+PD_SYNC_SETTLE_MS>GetTickCount64())
     {
      why="the terminal connected to the trade server less than "+IntegerToString(PD_SYNC_SETTLE_MS/1000)+
          " s ago and may still be synchronising positions and history";
      return(false);
     }
   return(true);
  }

//+------------------------------------------------------------------+
//| One EA per account and pipe (terminal global variables)          |
//+------------------------------------------------------------------+
// Names are at most 63 characters; the heartbeat variable adds ".beat".
string InstanceLockName()
  {
   string name="Pipdesk."+IntegerToString(AccountInfoInteger(ACCOUNT_LOGIN))+"."+g_pipe.Name();
   return(StringSubstr(name,0,58));
  }

// Sets a terminal global variable that must stay temporary. GlobalVariableSet creates a missing variable as a
// permanent one (kept on disk for four weeks), so a variable deleted meanwhile (the terminal's Global Variables
// window, another program) is created again with GlobalVariableTemp first: a lock or heartbeat must never outlive
// the terminal.
datetime PdSetTempGlobal(const string name,const double value)
  {
   if(!GlobalVariableCheck(name))
      GlobalVariableTemp(name);
   return(GlobalVariableSet(name,value));
  }

// Takes the lock for this account and pipe, or reports (once) that another copy of the EA holds it. The variables
// are temporary, so they vanish when the terminal closes.
bool TakeInstanceLock()
  {
   string name=InstanceLockName();
   if(g_lockHeld && name==g_lockName)
      return(true);
   if(g_lockHeld)
      ReleaseInstanceLock(); // the account changed
   string beat=name+".beat";
   if(!GlobalVariableCheck(name))
      GlobalVariableTemp(name);
   if(!GlobalVariableCheck(beat))
      GlobalVariableTemp(beat);
   double owner=GlobalVariableGet(name);
   double now=(double)GetTickCount64();
   bool stale=(owner!=0.0 && GlobalVariableGet(beat)+PD_LOCK_STALE_MS<now);
   bool mine=(owner==g_instanceId);
   if(!mine && (owner==0.0 || stale))
     {
      // The beat is written before the owner so a contender never sees a new owner with an old beat.
      PdSetTempGlobal(beat,now);
      mine=GlobalVariableSetOnCondition(name,g_instanceId,owner);
     }
   if(!mine)
     {
      if(!g_alertedDuplicate)
         Alert("Pipdesk: another copy of the PipdeskBridge EA is already running for account "+
               IntegerToString(AccountInfoInteger(ACCOUNT_LOGIN))+" (pipe "+g_pipe.Name()+
               ") in this terminal. This copy stays idle; remove it so that the EA runs on one chart only.");
      g_alertedDuplicate=true;
      return(false);
     }
   PdSetTempGlobal(beat,now);
   g_lockHeld=true;
   g_lockName=name;
   g_lockBeatMs=(ulong)now;
   if(g_alertedDuplicate)
      Print("Pipdesk: the other copy of the EA stopped; this copy now connects to the app");
   g_alertedDuplicate=false;
   return(true);
  }

// Refreshes the heartbeat; false when another instance took the lock over (it found the heartbeat stale).
bool KeepInstanceLock()
  {
   if(GlobalVariableGet(g_lockName)!=g_instanceId)
     {
      g_lockHeld=false;
      return(false);
     }
   ulong now=GetTickCount64();
   if(g_lockBeatMs+PD_LOCK_BEAT_MS<=now)
     {
      PdSetTempGlobal(g_lockName+".beat",(double)now);
      g_lockBeatMs=now;
     }
   return(true);
  }

void ReleaseInstanceLock()
  {
   if(g_lockHeld)
      GlobalVariableSetOnCondition(g_lockName,0.0,g_instanceId);
   g_lockHeld=false;
  }

// A pipe name the EA may open: printable ASCII without a backslash (a name, not a path of the pipe namespace).
bool ValidPipeName(const string name)
  {
   int len=StringLen(name);
   if(len<1 || len>200)
      return(false);
   for(int i=0; i<len; i++)
     {
      ushort c=StringGetCharacter(name,i);
      if(c<0x21 || c>0x7E || c=='\\')
         return(false);
     }
   return(true);
  }

// The first line of a text file in the common data folder (Common\Files), trimmed and cut to 256 characters;
// false when the file cannot be opened.
bool ReadCommonLine(const string file,string &line)
  {
   line="";
   ResetLastError();
   int h=FileOpen(file,FILE_READ|FILE_TXT|FILE_ANSI|FILE_COMMON|FILE_SHARE_READ|FILE_SHARE_WRITE);
   if(h==INVALID_HANDLE)
      return(false);
   line=FileReadString(h);
   FileClose(h);
   StringTrimLeft(line);
   StringTrimRight(line);
   if(StringLen(line)>256)
      line=StringSubstr(line,0,256);
   return(true);
  }

// Logs what the EA is waiting for, once per change, so a missing file does not flood the journal.
void WaitingFor(const string what)
  {
   if(what!=g_waitingFor)
      Print("Pipdesk: "+what);
   g_waitingFor=what;
  }

// Everything a connection attempt needs before the pipe is opened: the pipe name (InpPipeName, else pipe.txt),
// the instance lock for it, the pairing token and a fresh nonce. Both files are read before every attempt, so a
// new pipe name or a rotated token is picked up. False (and a retry with backoff) when something is missing.
bool PrepareAttempt()
  {
   string common=TerminalInfoString(TERMINAL_COMMONDATA_PATH)+"\\Files\\";
   string name=InpPipeName;
   if(name=="")
     {
      if(!ReadCommonLine(PD_PIPE_FILE,name) || !ValidPipeName(name))
        {
         WaitingFor("waiting for the Pipdesk app to write its pipe name to "+common+PD_PIPE_FILE+
                    " (start Pipdesk on this computer)");
         g_pipe.ScheduleRetry();
         return(false);
        }
     }
   // A new name takes the lock of the new name (TakeInstanceLock gives the old one back).
   if(name!=g_pipe.Name())
      g_pipe.SetName(name);
   if(!TakeInstanceLock())
      return(false);
   string token="";
   if(!ReadCommonLine(PD_TOKEN_FILE,token) || !PdIsHex64(token))
     {
      WaitingFor("waiting for a pairing token (64 hex characters) in "+common+PD_TOKEN_FILE+
                 ": start Pipdesk, or copy the token it shows into that file");
      g_pipe.ScheduleRetry();
      return(false);
     }
   string nonce=NextNonce();
   if(nonce=="")
     {
      WaitingFor("cannot compute SHA-256 (CryptEncode failed, error "+IntegerToString(GetLastError())+")");
      g_pipe.ScheduleRetry();
      return(false);
     }
   if(g_waitingFor!="")
      Print("Pipdesk: pipe name and pairing token found; connecting to "+g_pipe.Path());
   g_waitingFor="";
   g_token=token;
   g_eaNonce=nonce;
   return(true);
  }

// A fresh nonce for each connection. MQL5 has no cryptographic random source, so it is SHA-256 over the previous
// nonce, a counter and whatever differs between connections and terminals (clocks, chart, account, MathRand).
// It only has to be fresh, never secret: the app's nonce comes from a CSPRNG and the proofs bind both nonces and
// the endpoint (docs/mql5-functions.md, "The EA's nonce").
string NextNonce()
  {
   if(!g_randSeeded)
     {
      MathSrand((int)(GetTickCount64()%2147483647));
      g_randSeeded=true;
     }
   g_nonceCounter++;
   string material="pipdesk-ea-nonce|"+g_previousNonce+"|"+IntegerToString(g_nonceCounter)+"|"+
                   IntegerToString((long)GetTickCount64())+"|"+IntegerToString((long)GetMicrosecondCount())+"|"+
                   IntegerToString((long)TimeLocal())+"|"+IntegerToString((long)TimeGMT())+"|"+
                   IntegerToString(ChartID())+"|"+IntegerToString(AccountInfoInteger(ACCOUNT_LOGIN))+"|"+
                   TerminalInfoString(TERMINAL_DATA_PATH)+"|"+IntegerToString(MathRand())+"|"+
                   IntegerToString(MathRand())+"|"+IntegerToString(MathRand())+"|"+IntegerToString(MathRand());
   uchar bytes[];
   uchar digest[];
   PdUtf8Bytes(material,bytes);
   if(!PdSha256(bytes,digest))
      return("");
   g_previousNonce=PdHex(digest,PD_SHA256_BYTES);
   return(g_previousNonce);
  }

// The endpoint both proofs cover: the pipe name after \\.\pipe\ (docs/bridge-protocol.md, "Handshake").
string Endpoint()
  {
   return(g_pipe.Name());
  }

bool SendHello()
  {
   bool tradeAllowed=(TerminalInfoInteger(TERMINAL_TRADE_ALLOWED)!=0 && MQLInfoInteger(MQL_TRADE_ALLOWED)!=0);
   PdJsonWriter w;
   w.BeginObject();
   w.Str("type","hello");
   w.Int("protocol",PD_PROTOCOL_VERSION);
   w.Str("eaVersion",PD_EA_VERSION);
   w.Str("nonce",g_eaNonce);
   w.Int("timeOffsetSec",PdTimeOffsetSec());
   w.BeginObject("terminal");
   w.Int("build",TerminalInfoInteger(TERMINAL_BUILD));
   w.Str("company",TerminalInfoString(TERMINAL_COMPANY));
   w.Str("dataPath",TerminalInfoString(TERMINAL_DATA_PATH));
   w.Bool("tradeAllowed",tradeAllowed);
   w.Bool("connected",TerminalInfoInteger(TERMINAL_CONNECTED)!=0);
   w.EndObject();
   w.BeginObject("account");
   w.Str("login",IntegerToString(AccountInfoInteger(ACCOUNT_LOGIN)));
   w.Str("server",AccountInfoString(ACCOUNT_SERVER));
   w.Str("currency",AccountInfoString(ACCOUNT_CURRENCY));
   w.Int("leverage",AccountInfoInteger(ACCOUNT_LEVERAGE));
   w.Str("marginMode",PdMarginModeName(AccountInfoInteger(ACCOUNT_MARGIN_MODE)));
   w.Str("tradeMode",PdAccountTradeModeName(AccountInfoInteger(ACCOUNT_TRADE_MODE)));
   w.Str("name",AccountInfoString(ACCOUNT_NAME));
   w.Str("company",AccountInfoString(ACCOUNT_COMPANY));
   w.EndObject();
   w.EndObject();
   return(g_pipe.SendLine(w.Text()));
  }

void ResetSession()
  {
   g_state=PD_STATE_OFFLINE;
   g_token="";
   g_eaNonce="";
   g_sessionId="";
   g_heartbeatMs=5000;
   g_silenceMs=15000;
   g_maxFrame=PD_MAX_FRAME_BYTES;
   g_pipe.SetMaxFrame(PD_MAX_FRAME_BYTES);
   g_lastAccountJson="";
   g_lookupRefused=false;
   // So does the form of trade_events: every connection starts with one txn event per transaction.
   g_tradeChanges=false;
   g_tradeTxns=0;
   g_tradeDealCount=0;
   // Subscriptions belong to the connection: the app subscribes again after a reconnect.
   g_subCount=0;
   ArrayResize(g_subSymbols,0);
   ArrayResize(g_subLastMsc,0);
   ArrayResize(g_subLastBid,0);
   ArrayResize(g_subLastAsk,0);
  }

void CloseLink(const string reason)
  {
   g_pipe.Close(reason);
   ResetSession();
  }

void SendError(const string code,const string message,const string id)
  {
   // Before welcome the app accepts nothing but hello, so errors are only logged then.
   if(g_state!=PD_STATE_READY)
     {
      PrintFormat("Pipdesk: %s before welcome: %s",code,message);
      return;
     }
   PdJsonWriter w;
   w.BeginObject();
   w.Str("type","error");
   w.Str("code",code);
   w.Str("message",StringSubstr(message,0,1000));
   if(id!="")
      w.Str("id",id);
   w.EndObject();
   g_pipe.SendLine(w.Text());
  }

void SendBye(const string reason,const string message)
  {
   PdJsonWriter w;
   w.BeginObject();
   w.Str("type","bye");
   w.Str("reason",reason);
   w.Str("message",message);
   w.EndObject();
   g_pipe.SendLine(w.Text());
  }

void SendResult(const string id,const string resultJson)
  {
   PdJsonWriter w;
   w.BeginObject();
   w.Str("type","response");
   w.Str("id",id);
   w.Bool("ok",true);
   w.Raw("result",resultJson);
   w.EndObject();
   if(!g_pipe.SendLine(w.Text()) && g_pipe.IsOpen())
      SendFailure(id,"INTERNAL","the answer did not fit in one frame");
  }

void SendFailure(const string id,const string code,const string message)
  {
   PdJsonWriter w;
   w.BeginObject();
   w.Str("type","response");
   w.Str("id",id);
   w.Bool("ok",false);
   w.BeginObject("error");
   w.Str("code",code);
   w.Str("message",StringSubstr(message,0,1000));
   w.EndObject();
   w.EndObject();
   g_pipe.SendLine(w.Text());
  }

//+------------------------------------------------------------------+
//| Incoming frames                                                  |
//+------------------------------------------------------------------+
bool IsRequestType(const string type)
  {
   return(type=="account" || type=="symbols" || type=="symbol_spec" || type=="quote" || type=="subscribe" ||
          type=="unsubscribe" || type=="positions" || type=="orders" || type=="history_deals" ||
          type=="calc_margin" || type=="order_check" || type=="order_send" || type=="lookup" || type=="rates" ||
          type=="trade_events");
  }

void HandleLine(const string line)
  {
   if(line=="")
      return;
   PdJsonReader rq;
   if(!rq.Parse(line))
     {
      SendError("BAD_JSON",rq.Error(),"");
      return;
     }
   string type="";
   string id="";
   // Nothing the app sent is echoed or logged before it is bounded: an id only when it is a valid RequestId, a
   // type or text only cut to PD_MAX_ECHO_CHARS / PD_MAX_LOG_CHARS.
   bool hasId=(rq.GetString("id",id) && id!="" && StringLen(id)<=PD_MAX_ID_CHARS);
   if(!hasId)
      id="";
   if(!rq.GetString("type",type))
     {
      SendError("BAD_MESSAGE","frame without a string type",id);
      return;
     }
   if(type=="hb")
      return;
   if(type=="challenge")
     {
      HandleChallenge(rq);
      return;
     }
   if(type=="welcome")
     {
      HandleWelcome(rq);
      return;
     }
   if(type=="refused")
     {
      HandleRefused(rq);
      return;
     }
   if(type=="bye")
     {
      HandleBye(rq);
      return;
     }
   if(type=="error")
     {
      // error frames are never answered
      string code="";
      string message="";
      rq.GetString("code",code);
      rq.GetString("message",message);
      PrintFormat("Pipdesk: the app reported %s: %s",PdClip(code,PD_MAX_ECHO_CHARS),PdClip(message,PD_MAX_LOG_CHARS));
      return;
     }
   if(g_state!=PD_STATE_READY)
     {
      PrintFormat("Pipdesk: ignoring '%s' before welcome",PdClip(type,PD_MAX_ECHO_CHARS));
      return;
     }
   if(!IsRequestType(type))
     {
      string shown=PdClip(type,PD_MAX_ECHO_CHARS);
      if(hasId)
         SendFailure(id,"UNKNOWN_TYPE","this EA does not implement '"+shown+"'");
      else
         SendError("UNKNOWN_TYPE","unknown message type '"+shown+"'","");
      return;
     }
   if(!hasId)
     {
      SendError("BAD_MESSAGE","request '"+type+"' without a valid id (1-"+IntegerToString(PD_MAX_ID_CHARS)+
                " characters)","");
      return;
     }
   HandleRequest(type,id,rq);
  }

void HandleWelcome(PdJsonReader &rq)
  {
   if(g_state==PD_STATE_AWAIT_CHALLENGE)
     {
      // Whoever answers must prove it holds the token before anything else; a welcome without that is a v1 app
      // or something pretending to be the app.
      ReportImpostor("it sent welcome without proving that it holds the pairing token");
      return;
     }
   if(g_state!=PD_STATE_AWAIT_WELCOME)
     {
      SendError("UNEXPECTED","welcome outside the handshake","");
      return;
     }
   long protocol=0;
   long heartbeatMs=0;
   long silenceMs=0;
   long maxFrame=0;
   if(!rq.GetLong("protocol",protocol) || protocol!=PD_PROTOCOL_VERSION || !rq.GetLong("heartbeatMs",heartbeatMs) ||
      !rq.GetLong("silenceMs",silenceMs) || !rq.GetLong("maxFrameBytes",maxFrame) ||
      heartbeatMs<PD_MIN_HEARTBEAT_MS || heartbeatMs>PD_MAX_HEARTBEAT_MS || silenceMs<PD_MIN_SILENCE_MS ||
      silenceMs>PD_MAX_SILENCE_MS || silenceMs<2*heartbeatMs || maxFrame<PD_MIN_FRAME_BYTES)
     {
      Print("Pipdesk: invalid welcome (heartbeatMs ",heartbeatMs,", silenceMs ",silenceMs,", maxFrameBytes ",maxFrame,
            "); the EA needs protocol ",PD_PROTOCOL_VERSION,", heartbeatMs ",PD_MIN_HEARTBEAT_MS,"-",PD_MAX_HEARTBEAT_MS,
            ", silenceMs ",PD_MIN_SILENCE_MS,"-",PD_MAX_SILENCE_MS," and at least twice heartbeatMs, maxFrameBytes >= ",
            PD_MIN_FRAME_BYTES);
      CloseLink("invalid welcome");
      g_pipe.DelayNextAttempt(PD_REFUSED_WAIT_MS);
      return;
     }
   string sessionId="";
   string app="";
   rq.GetString("sessionId",sessionId);
   rq.GetString("app",app);
   sessionId=PdClip(sessionId,PD_MAX_ECHO_CHARS);
   app=PdClip(app,PD_MAX_ECHO_CHARS);
   g_heartbeatMs=(int)heartbeatMs;
   g_silenceMs=(int)silenceMs;
   g_maxFrame=(int)MathMin((double)maxFrame,(double)PD_MAX_FRAME_CAP);
   g_pipe.SetMaxFrame(g_maxFrame);
   g_sessionId=sessionId;
   g_state=PD_STATE_READY;
   g_token="";
   g_pipe.ResetBackoff();
   g_lastAccountJson="";
   PrintFormat("Pipdesk: paired with %s, session %s",app,sessionId);
  }

// The app's half of the handshake: its nonce and its proof. The EA answers with its own proof only when the app's
// is right; until then it has sent nothing but hello and obeys nothing.
void HandleChallenge(PdJsonReader &rq)
  {
   if(g_state!=PD_STATE_AWAIT_CHALLENGE)
     {
      CloseLink("challenge outside the handshake");
      return;
     }
   long protocol=0;
   string appNonce="";
   string proof="";
   if(!rq.GetLong("protocol",protocol) || protocol!=PD_PROTOCOL_VERSION || !rq.GetString("nonce",appNonce) ||
      !PdIsHex64(appNonce) || !rq.GetString("proof",proof) || !PdIsHex64(proof))
     {
      ReportImpostor("its challenge is not a protocol "+IntegerToString(PD_PROTOCOL_VERSION)+" challenge");
      return;
     }
   string expected=PdHandshakeProof(g_token,"app",Endpoint(),g_eaNonce,appNonce);
   if(expected=="" || !PdEqualConstantTime(proof,expected))
     {
      ReportImpostor("it could not prove that it holds the pairing token");
      return;
     }
   string mine=PdHandshakeProof(g_token,"ea",Endpoint(),g_eaNonce,appNonce);
   PdJsonWriter w;
   w.BeginObject();
   w.Str("type","auth");
   w.Str("proof",mine);
   w.EndObject();
   if(!g_pipe.SendLine(w.Text()))
     {
      CloseLink("auth could not be sent");
      return;
     }
   g_state=PD_STATE_AWAIT_WELCOME;
  }

// Whatever answered on the pipe failed the handshake: it may be a program squatting on the pipe name to receive
// the EA's orders, or an app with another token. The EA closes, says so naming the pipe, and waits before trying
// again; it sent nothing but hello, which holds no secret.
void ReportImpostor(const string why)
  {
   string text="Pipdesk: WARNING: possible impostor on "+g_pipe.Path()+": "+why+
               ". The EA closed the link without obeying anything and tries again in "+
               IntegerToString(PD_IMPOSTOR_WAIT_MS/1000)+
               " s. If Pipdesk is running, check that it and this terminal use the same token.txt; otherwise another "+
               "program is using the pipe name.";
   Print(text);
   if(!g_alertedImpostor)
      Alert(text);
   g_alertedImpostor=true;
   CloseLink("possible impostor");
   g_pipe.DelayNextAttempt(PD_IMPOSTOR_WAIT_MS);
  }

void HandleRefused(PdJsonReader &rq)
  {
   string reason="";
   string message="";
   rq.GetString("reason",reason);
   rq.GetString("message",message);
   reason=PdClip(reason,PD_MAX_ECHO_CHARS);
   PrintFormat("Pipdesk: the app refused the connection (%s): %s",reason,PdClip(message,PD_MAX_LOG_CHARS));
   if(reason=="BAD_TOKEN")
      PrintFormat("Pipdesk: the app did not accept this EA's proof: check that %s\\Files\\%s holds the token Pipdesk shows",
                  TerminalInfoString(TERMINAL_COMMONDATA_PATH),PD_TOKEN_FILE);
   else if(reason=="PROTOCOL_UNSUPPORTED")
      Print("Pipdesk: the app speaks another protocol version than this EA (",PD_PROTOCOL_VERSION,
            "): install the PipdeskBridge EA that comes with your Pipdesk version");
   CloseLink("refused: "+reason);
   // docs/bridge-protocol.md section 4: wait at least 10 s after a refusal; the token is re-read before retrying.
   g_pipe.DelayNextAttempt(PD_REFUSED_WAIT_MS);
  }

void HandleBye(PdJsonReader &rq)
  {
   string reason="";
   string message="";
   rq.GetString("reason",reason);
   rq.GetString("message",message);
   reason=PdClip(reason,PD_MAX_ECHO_CHARS);
   PrintFormat("Pipdesk: the app closed the session (%s): %s",reason,PdClip(message,PD_MAX_LOG_CHARS));
   CloseLink("bye: "+reason);
   if(reason=="SHUTDOWN")
      g_pipe.DelayNextAttempt(PD_SHUTDOWN_WAIT_MS);
   else if(reason=="TOKEN_ROTATED")
      Print("Pipdesk: the pairing token was rotated; reading the new one from the token file and connecting again");
   else if(reason=="REPLACED")
     {
      // Another connection for this account took over. The instance lock rules out a second chart of this
      // terminal, so it is another terminal logged in to the same account: say so once, and do not fight it.
      if(!g_alertedReplaced)
         Alert("Pipdesk: another MetaTrader terminal logged in to account "+
               IntegerToString(AccountInfoInteger(ACCOUNT_LOGIN))+
               " connected to the Pipdesk app and took over. Run the EA in one terminal per account.");
      g_alertedReplaced=true;
      g_pipe.DelayNextAttempt(PD_REPLACED_WAIT_MS);
     }
  }

void HandleRequest(const string type,const string id,PdJsonReader &rq)
  {
   long expiresAt=0;
   long deadlineMs=0;
   if(!rq.GetLong("expiresAt",expiresAt) || !rq.GetLong("deadlineMs",deadlineMs) || expiresAt<0 || deadlineMs<=0)
     {
      SendFailure(id,"INVALID_PARAMS","deadlineMs and expiresAt must be integers");
      return;
     }
   if(PdExpired(expiresAt))
     {
      SendFailure(id,"DEADLINE_EXCEEDED","read after expiresAt; nothing was done");
      return;
     }
   string result="";
   string errCode="INTERNAL";
   string errMsg="";
   bool ok=false;
   int budget=g_maxFrame;
   if(type=="account")
      ok=PdHandleAccount(rq,result,errCode,errMsg);
   else if(type=="symbols")
      ok=PdHandleSymbols(rq,budget,result,errCode,errMsg);
   else if(type=="symbol_spec")
      ok=PdHandleSymbolSpec(rq,result,errCode,errMsg);
   else if(type=="quote")
      ok=PdHandleQuote(rq,result,errCode,errMsg);
   else if(type=="subscribe")
      ok=HandleSubscribe(rq,result,errCode,errMsg);
   else if(type=="unsubscribe")
      ok=HandleUnsubscribe(rq,result,errCode,errMsg);
   else if(type=="positions")
      ok=PdHandlePositions(rq,budget,result,errCode,errMsg);
   else if(type=="orders")
      ok=PdHandleOrders(rq,budget,result,errCode,errMsg);
   else if(type=="history_deals")
      ok=PdHandleHistoryDeals(rq,budget,result,errCode,errMsg);
   else if(type=="calc_margin")
      ok=PdHandleCalcMargin(rq,result,errCode,errMsg);
   else if(type=="order_check")
      ok=HandleTrade(rq,false,result,errCode,errMsg);
   else if(type=="order_send")
      ok=HandleTrade(rq,true,result,errCode,errMsg);
   else if(type=="rates")
      ok=PdHandleRates(rq,budget,result,errCode,errMsg);
   else if(type=="trade_events")
      ok=HandleTradeEvents(rq,result,errCode,errMsg);
   else if(type=="lookup")
     {
      // Absence proves "not executed" only on a synchronised terminal (docs/bridge-protocol.md §7, lookup);
      // otherwise the app must keep the order unknown and ask again.
      if(TradeServerSynced(errMsg))
         ok=PdHandleLookup(rq,g_dedup,g_actions,budget,result,errCode,errMsg);
      else
        {
         errCode="TERMINAL_ERROR";
         errMsg="cannot look up yet: "+errMsg+"; nothing was searched, ask again later";
         g_lookupRefused=true;
        }
     }
   else
     {
      errCode="UNKNOWN_TYPE";
      errMsg="this EA does not implement '"+type+"'";
     }
   if(ok)
      SendResult(id,result);
   else
      SendFailure(id,errCode,errMsg);
   // docs/bridge-protocol.md: after a successful subscribe the current tick follows at once.
   if(ok && type=="subscribe")
      PumpTicks();
  }

//+------------------------------------------------------------------+
//| order_check / order_send                                         |
//+------------------------------------------------------------------+
// The stored result replayed for a repeated clOrdId, with duplicate=true.
string AsDuplicate(const string stored)
  {
   string tail="\"duplicate\":false}";
   int cut=StringLen(stored)-StringLen(tail);
   if(cut>0 && StringSubstr(stored,cut)==tail)
      return(StringSubstr(stored,0,cut)+"\"duplicate\":true}");
   return(stored);
  }

bool HandleTrade(PdJsonReader &rq,const bool send,string &result,string &errCode,string &errMsg)
  {
   string clOrdId="";
   if(!rq.GetString("clOrdId",clOrdId) || !PdValidClOrdId(clOrdId))
     {
      errCode="INVALID_PARAMS";
      errMsg="clOrdId must be 1-26 of A-Z a-z 0-9 _ . : -";
      return(false);
     }
   string stored="";
   if(send && g_dedup.Get(clOrdId,stored))
     {
      // Seen before: answer what happened then and send nothing.
      result=AsDuplicate(stored);
      return(true);
     }
   // OrderSend would only fail with 10031 after a wait, and a retcode of the unknown class makes the app reconcile.
   // Refusing up front says for certain that nothing was sent.
   if(send && TerminalInfoInteger(TERMINAL_CONNECTED)==0)
     {
      errCode="TERMINAL_ERROR";
      errMsg="the terminal is not connected to the trade server";
      return(false);
     }
   MqlTradeRequest req;
   ENUM_ORDER_TYPE_FILLING candidates[];
   bool needsFilling=false;
   uint localRetcode=0;
   if(!PdBuildTradeRequest(rq,req,candidates,needsFilling,localRetcode,errCode,errMsg))
      return(false);
   if(req.magic==0)
      req.magic=InpMagic;
   if(localRetcode!=0)
     {
      // The ticket names no open position or working order: the trade server's own answer, and nothing is sent
      // (a rejected outcome, so it is not kept in the dedup table).
      string why=(localRetcode==PD_RETCODE_POSITION_CLOSED) ? "the position is not open (closed, or never opened)" :
                 "the order is not working (filled, cancelled, expired, or never placed)";
      if(!send)
        {
         MqlTradeCheckResult none;
         ZeroMemory(none);
         result=PdCheckResultJson(none,localRetcode,why+"; nothing was checked");
         return(true);
        }
      MqlTradeResult res;
      ZeroMemory(res);
      res.retcode=localRetcode;
      res.comment=why+"; nothing was sent";
      result=PdTradeResultJson(req,res,false,false);
      return(true);
     }
   // SLTP, MODIFY and REMOVE leave no clOrdId on the server: noted before sending so lookup can find them.
   bool logged=(send && (req.action==TRADE_ACTION_SLTP || req.action==TRADE_ACTION_MODIFY ||
                         req.action==TRADE_ACTION_REMOVE));
   if(logged)
      g_actions.Record(clOrdId,req.action,req.action==TRADE_ACTION_SLTP ? req.position : req.order);
   string outcome=PdExecute(req,candidates,needsFilling,send,result);
   if(logged)
      g_actions.SetResult(clOrdId,result);
   // Only answers where something happened or may have happened are kept: a rejected or retryable request
   // executed nothing, so the app may send it again with the same clOrdId.
   if(send && (outcome=="done" || outcome=="unknown"))
      g_dedup.Put(clOrdId,result);
   return(true);
  }

//+------------------------------------------------------------------+
//| Subscriptions and pushed events                                  |
//+------------------------------------------------------------------+
int FindSubscription(const string symbol)
  {
   for(int i=0; i<g_subCount; i++)
      if(g_subSymbols[i]==symbol)
         return(i);
   return(-1);
  }

bool HandleSubscribe(PdJsonReader &rq,string &result,string &errCode,string &errMsg)
  {
   string symbol="";
   if(!rq.GetString("symbol",symbol))
     {
      errCode="INVALID_PARAMS";
      errMsg="symbol must be a string";
      return(false);
     }
   if(!PdEnsureSymbol(symbol,errCode,errMsg))
      return(false);
   int i=FindSubscription(symbol);
   if(i<0)
     {
      if(g_subCount>=PD_MAX_SUBSCRIPTIONS)
        {
         errCode="INVALID_PARAMS";
         errMsg="at most "+IntegerToString(PD_MAX_SUBSCRIPTIONS)+" subscriptions";
         return(false);
        }
      i=g_subCount;
      g_subCount++;
      ArrayResize(g_subSymbols,g_subCount);
      ArrayResize(g_subLastMsc,g_subCount);
      ArrayResize(g_subLastBid,g_subCount);
      ArrayResize(g_subLastAsk,g_subCount);
      g_subSymbols[i]=symbol;
     }
   // Forget the last tick sent so the current one is pushed right after the response.
   g_subLastMsc[i]=-1;
   g_subLastBid[i]=-1.0;
   g_subLastAsk[i]=-1.0;
   PdJsonWriter w;
   w.BeginObject();
   w.Str("symbol",symbol);
   w.Bool("subscribed",true);
   w.EndObject();
   result=w.Text();
   return(true);
  }

bool HandleUnsubscribe(PdJsonReader &rq,string &result,string &errCode,string &errMsg)
  {
   string symbol="";
   if(!rq.GetString("symbol",symbol) || symbol=="")
     {
      errCode="INVALID_PARAMS";
      errMsg="symbol must be a non-empty string";
      return(false);
     }
   if(symbol=="*")
      g_subCount=0;
   else
     {
      int i=FindSubscription(symbol);
      if(i>=0)
        {
         int last=g_subCount-1;
         g_subSymbols[i]=g_subSymbols[last];
         g_subLastMsc[i]=g_subLastMsc[last];
         g_subLastBid[i]=g_subLastBid[last];
         g_subLastAsk[i]=g_subLastAsk[last];
         g_subCount--;
        }
     }
   ArrayResize(g_subSymbols,g_subCount);
   ArrayResize(g_subLastMsc,g_subCount);
   ArrayResize(g_subLastBid,g_subCount);
   ArrayResize(g_subLastAsk,g_subCount);
   PdJsonWriter w;
   w.BeginObject();
   w.Str("symbol",symbol);
   w.Bool("subscribed",false);
   w.EndObject();
   result=w.Text();
   return(true);
  }

// trade_events: how OnTradeTransaction is reported from now on. Leaving `changes` sends what was counted first, so
// nothing counted is lost and no trade event follows a txn event.
bool HandleTradeEvents(PdJsonReader &rq,string &result,string &errCode,string &errMsg)
  {
   string form="";
   if(!rq.GetString("form",form) || (form!="txn" && form!="changes"))
     {
      errCode="INVALID_PARAMS";
      errMsg="form must be \"txn\" or \"changes\"";
      return(false);
     }
   if(form=="txn")
      FlushTradeEvent();
   g_tradeChanges=(form=="changes");
   PdJsonWriter w;
   w.BeginObject();
   w.Str("form",form);
   w.EndObject();
   result=w.Text();
   return(true);
  }

// Polls SymbolInfoTick for every subscribed symbol and pushes the ones whose quote changed.
void PumpTicks()
  {
   for(int i=0; i<g_subCount && g_pipe.IsOpen(); i++)
     {
      MqlTick tick;
      if(!SymbolInfoTick(g_subSymbols[i],tick))
         continue;
      if(tick.bid<=0.0 && tick.ask<=0.0)
         continue;
      if(tick.time_msc==g_subLastMsc[i] && tick.bid==g_subLastBid[i] && tick.ask==g_subLastAsk[i])
         continue;
      g_subLastMsc[i]=tick.time_msc;
      g_subLastBid[i]=tick.bid;
      g_subLastAsk[i]=tick.ask;
      PdJsonWriter w;
      w.BeginObject();
      w.Str("type","tick");
      PdWriteTickFields(w,g_subSymbols[i],tick);
      w.EndObject();
      g_pipe.SendLine(w.Text());
     }
  }

// Pushes the account figures when any of them changed, at most every PD_ACCOUNT_EVENT_MS.
void PumpAccount(const bool force)
  {
   ulong now=GetTickCount64();
   if(!force && g_lastAccountCheckMs+PD_ACCOUNT_EVENT_MS>now)
      return;
   g_lastAccountCheckMs=now;
   int md=PdMoneyDigits();
   bool tradeAllowed=(TerminalInfoInteger(TERMINAL_TRADE_ALLOWED)!=0 && MQLInfoInteger(MQL_TRADE_ALLOWED)!=0);
   PdJsonWriter w;
   w.BeginObject();
   w.Str("type","account");
   w.Num("balance",AccountInfoDouble(ACCOUNT_BALANCE),md);
   w.Num("credit",AccountInfoDouble(ACCOUNT_CREDIT),md);
   w.Num("profit",AccountInfoDouble(ACCOUNT_PROFIT),md);
   w.Num("equity",AccountInfoDouble(ACCOUNT_EQUITY),md);
   w.Num("margin",AccountInfoDouble(ACCOUNT_MARGIN),md);
   w.Num("marginFree",AccountInfoDouble(ACCOUNT_MARGIN_FREE),md);
   w.Num("marginLevel",AccountInfoDouble(ACCOUNT_MARGIN_LEVEL),2);
   w.Int("leverage",AccountInfoInteger(ACCOUNT_LEVERAGE));
   w.Bool("tradeAllowed",tradeAllowed);
   // Changes with daylight saving time; a change alone is reason enough for an event.
   w.Int("timeOffsetSec",PdTimeOffsetSec());
   w.EndObject();
   string json=w.Text();
   if(json==g_lastAccountJson)
      return;
   if(g_pipe.SendLine(json))
      g_lastAccountJson=json;
  }
//+------------------------------------------------------------------+
