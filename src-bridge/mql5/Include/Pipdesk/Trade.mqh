//+------------------------------------------------------------------+
//| Trade.mqh - Pipdesk bridge: order_check, order_send (DEAL,       |
//| PENDING, SLTP, MODIFY, REMOVE, CLOSE_BY), the filling-mode       |
//| choice with one retry on 10030, the de-duplication table by      |
//| client order id, and lookup by client order id.                  |
//+------------------------------------------------------------------+
#ifndef PIPDESK_TRADE_MQH
#define PIPDESK_TRADE_MQH

// docs/bridge-protocol.md: the dedup table holds at least the last 1000 client order ids.
#define PD_DEDUP_SIZE 1024
#define PD_RETCODE_INVALID_FILL 10030
#define PD_RETCODE_INVALID 10013
#define PD_RETCODE_POSITION_CLOSED 10036
// Used when a DEAL request gives no deviation (points; only Request/Instant execution uses it).
#define PD_DEFAULT_DEVIATION 20
// lookup without sinceMs searches this far back (docs/mql5-functions.md, Lookup): an order left unknown while the
// app was closed for a long holiday may have been opened and closed by SL/TP meanwhile, and a window that misses its
// deals would make the app call it "not executed". The cost is one HistorySelect over the period and a linear scan
// of its orders and deals (tens of thousands for a very active account: milliseconds, during which the EA's single
// thread does nothing else).
#define PD_LOOKUP_DEFAULT_DAYS 90
// A given sinceMs is moved this much earlier: the app may compute it from its own clock, and a trade server whose
// time runs behind would otherwise hide deals of the first hours. Extra history only costs time: deals are
// matched by id.
#define PD_LOOKUP_MARGIN_MS 86400000

//+------------------------------------------------------------------+
//| De-duplication table: clOrdId -> the TradeResult JSON sent back. |
//| A ring buffer: the oldest entry is overwritten; lost on restart  |
//| (lookup then finds the trade in positions, orders and deals).    |
//+------------------------------------------------------------------+
class PdDedupTable
  {
private:
   string            m_ids[PD_DEDUP_SIZE];
   string            m_results[PD_DEDUP_SIZE];
   int               m_next;
   int               m_count;

public:
                     PdDedupTable() { m_next=0; m_count=0; }

   int               Find(const string clOrdId)
     {
      for(int i=0; i<m_count; i++)
         if(m_ids[i]==clOrdId)
            return(i);
      return(-1);
     }

   bool              Get(const string clOrdId,string &resultJson)
     {
      int i=Find(clOrdId);
      if(i<0)
         return(false);
      resultJson=m_results[i];
      return(true);
     }

   void              Put(const string clOrdId,const string resultJson)
     {
      int i=Find(clOrdId);
      if(i<0)
        {
         i=m_next;
         m_next=(m_next+1)%PD_DEDUP_SIZE;
         if(m_count<PD_DEDUP_SIZE)
            m_count++;
        }
      m_ids[i]=clOrdId;
      m_results[i]=resultJson;
     }
  };

//+------------------------------------------------------------------+
//| Recent SLTP, MODIFY and REMOVE requests by clOrdId. The trade    |
//| server keeps no comment for them, so lookup could never find     |
//| them in positions, orders or deals; this ring remembers the last |
//| PD_ACTION_LOG_SIZE of them (from before OrderSend) with their    |
//| target ticket and answer, so lookup can show the target as it is |
//| now (docs/mql5-functions.md, "Lookup"). Lost on restart: these   |
//| actions are idempotent, so a resend is harmless (10025 or "no    |
//| such order").                                                    |
//+------------------------------------------------------------------+
#define PD_ACTION_LOG_SIZE 1024

class PdActionLog
  {
private:
   string            m_ids[PD_ACTION_LOG_SIZE];
   ENUM_TRADE_REQUEST_ACTIONS m_actions[PD_ACTION_LOG_SIZE];
   ulong             m_targets[PD_ACTION_LOG_SIZE];
   string            m_results[PD_ACTION_LOG_SIZE];
   int               m_next;
   int               m_count;

public:
                     PdActionLog() { m_next=0; m_count=0; }

   int               Find(const string clOrdId)
     {
      for(int i=0; i<m_count; i++)
         if(m_ids[i]==clOrdId)
            return(i);
      return(-1);
     }

   // Noted before the request is sent; a clOrdId sent again replaces its entry.
   void              Record(const string clOrdId,const ENUM_TRADE_REQUEST_ACTIONS action,const ulong target)
     {
      int i=Find(clOrdId);
      if(i<0)
        {
         i=m_next;
         m_next=(m_next+1)%PD_ACTION_LOG_SIZE;
         if(m_count<PD_ACTION_LOG_SIZE)
            m_count++;
        }
      m_ids[i]=clOrdId;
      m_actions[i]=action;
      m_targets[i]=target;
      m_results[i]="";
     }

   void              SetResult(const string clOrdId,const string resultJson)
     {
      int i=Find(clOrdId);
      if(i>=0)
         m_results[i]=resultJson;
     }

   // The action, its target ticket and the TradeResult JSON ("" while unanswered).
   bool              Get(const string clOrdId,ENUM_TRADE_REQUEST_ACTIONS &action,ulong &target,string &resultJson)
     {
      int i=Find(clOrdId);
      if(i<0)
         return(false);
      action=m_actions[i];
      target=m_targets[i];
      resultJson=m_results[i];
      return(true);
     }
  };

//+------------------------------------------------------------------+
//| Filling candidates (docs/bridge-protocol.md section 7), as       |
//| CTrade does and the fill policy rules say (docs/mql5-functions.md,|
//| "Filling"): Request/Instant execution takes FOK. Market          |
//| execution: FOK if SYMBOL_FILLING_FOK (1) is set, then IOC if     |
//| SYMBOL_FILLING_IOC (2) is set, never RETURN for a market or stop |
//| order; a limit or stop-limit order takes RETURN, which the fill  |
//| policy rules allow there. Exchange execution: FOK, IOC, then     |
//| RETURN for a market order, RETURN for a pending order. These are |
//| the SYMBOL_FILLING_* flags, not the ORDER_FILLING_* values. BOC  |
//| is never chosen here: only the app may ask for it, and only for  |
//| a limit or stop-limit order. Only the first two are ever tried;  |
//| none at all (a Market-execution symbol that allows neither FOK   |
//| nor IOC) makes the EA answer 10030 without sending, as CTrade.   |
//+------------------------------------------------------------------+
bool PdIsLimitType(const ENUM_ORDER_TYPE type)
  {
   return(type==ORDER_TYPE_BUY_LIMIT || type==ORDER_TYPE_SELL_LIMIT || type==ORDER_TYPE_BUY_STOP_LIMIT ||
          type==ORDER_TYPE_SELL_STOP_LIMIT);
  }

int PdFillingCandidates(const string symbol,const ENUM_ORDER_TYPE type,ENUM_ORDER_TYPE_FILLING &out[])
  {
   ENUM_ORDER_TYPE_FILLING list[3];
   int n=0;
   bool isMarket=(type==ORDER_TYPE_BUY || type==ORDER_TYPE_SELL);
   long exe=SymbolInfoInteger(symbol,SYMBOL_TRADE_EXEMODE);
   long flags=SymbolInfoInteger(symbol,SYMBOL_FILLING_MODE);
   if(exe==SYMBOL_TRADE_EXECUTION_REQUEST || exe==SYMBOL_TRADE_EXECUTION_INSTANT)
      list[n++]=ORDER_FILLING_FOK;
   else if(exe==SYMBOL_TRADE_EXECUTION_EXCHANGE && !isMarket)
      list[n++]=ORDER_FILLING_RETURN;
   else
     {
      if(exe!=SYMBOL_TRADE_EXECUTION_EXCHANGE && PdIsLimitType(type))
         list[n++]=ORDER_FILLING_RETURN;
      if((flags&SYMBOL_FILLING_FOK)!=0)
         list[n++]=ORDER_FILLING_FOK;
      if((flags&SYMBOL_FILLING_IOC)!=0)
         list[n++]=ORDER_FILLING_IOC;
      if(exe==SYMBOL_TRADE_EXECUTION_EXCHANGE)
         list[n++]=ORDER_FILLING_RETURN;
     }
   int take=(n<2) ? n : 2;
   ArrayResize(out,take);
   for(int i=0; i<take; i++)
      out[i]=list[i];
   return(take);
  }

//+------------------------------------------------------------------+
//| Request building                                                 |
//+------------------------------------------------------------------+
// Optional price field: absent, null or 0 all mean "none" (MT5 uses 0 for no SL/TP).
bool PdOptionalPrice(PdJsonReader &rq,const string key,double &out)
  {
   out=0.0;
   if(rq.IsMissing(key))
      return(true);
   return(rq.GetNumber(key,out) && out>=0.0);
  }

bool PdRequiredTicket(PdJsonReader &rq,const string key,ulong &out)
  {
   string s="";
   return(rq.GetString(key,s) && PdParseU64(s,out) && out>0);
  }

// typeTime/expiration of a pending order. Absent typeTime: GTC, or DAY where the symbol does not allow GTC
// (as CTrade::OrderOpen does).
bool PdReadTypeTime(PdJsonReader &rq,const string symbol,MqlTradeRequest &req,string &errMsg)
  {
   long flags=SymbolInfoInteger(symbol,SYMBOL_EXPIRATION_MODE);
   if(rq.IsMissing("typeTime"))
     {
      req.type_time=((flags&SYMBOL_EXPIRATION_GTC)!=0 || flags==0) ? ORDER_TIME_GTC : ORDER_TIME_DAY;
      req.expiration=0;
      return(true);
     }
   string name="";
   ENUM_ORDER_TYPE_TIME tt=ORDER_TIME_GTC;
   if(!rq.GetString("typeTime",name) || !PdParseTypeTime(name,tt))
     {
      errMsg="typeTime must be GTC, DAY, SPECIFIED or SPECIFIED_DAY";
      return(false);
     }
   req.type_time=tt;
   req.expiration=0;
   if(tt==ORDER_TIME_SPECIFIED || tt==ORDER_TIME_SPECIFIED_DAY)
     {
      long expMs=0;
      if(!rq.GetLong("expiration",expMs) || expMs<=0)
        {
         errMsg="typeTime "+name+" needs expiration (ms since 1970, trade server clock)";
         return(false);
        }
      req.expiration=(datetime)(expMs/1000);
     }
   return(true);
  }

// Fills `req` from a flat order_send / order_check message. False with errCode/errMsg when nothing can be sent.
// `candidates` receives the filling modes to try; `needsFilling` says whether the action uses one at all (DEAL and
// PENDING): such a request with no candidate is answered 10030 without being sent. `localRetcode` is set when the
// request names a position or order the terminal does not hold: it is answered with that retcode without being
// sent, as the trade server would answer it (docs/bridge-protocol.md section 7, "Tickets that name nothing").
bool PdBuildTradeRequest(PdJsonReader &rq,MqlTradeRequest &req,ENUM_ORDER_TYPE_FILLING &candidates[],
                         bool &needsFilling,uint &localRetcode,string &errCode,string &errMsg)
  {
   ZeroMemory(req);
   ArrayResize(candidates,0);
   needsFilling=false;
   localRetcode=0;
   string clOrdId="";
   string magicText="";
   string action="";
   ulong magic=0;
   if(!rq.GetString("clOrdId",clOrdId) || !PdValidClOrdId(clOrdId))
     {
      errCode="INVALID_PARAMS";
      errMsg="clOrdId must be 1-26 of A-Z a-z 0-9 _ . : -";
      return(false);
     }
   if(!rq.GetString("magic",magicText) || !PdParseU64(magicText,magic))
     {
      errCode="INVALID_PARAMS";
      errMsg="magic must be a decimal string";
      return(false);
     }
   if(!rq.GetString("action",action))
     {
      errCode="INVALID_PARAMS";
      errMsg="action must be a string";
      return(false);
     }
   req.magic=magic;
   // The clOrdId goes into the comment verbatim: lookup finds the trade by it after a restart or a lost answer.
   req.comment=clOrdId;
   errCode="INVALID_PARAMS";

   if(action=="DEAL" || action=="PENDING")
     {
      string symbol="";
      string typeName="";
      double volume=0.0;
      ENUM_ORDER_TYPE type=ORDER_TYPE_BUY;
      if(!rq.GetString("symbol",symbol) || !rq.GetString("orderType",typeName) || !PdParseOrderType(typeName,type))
        {
         errMsg="symbol and orderType are required";
         return(false);
        }
      bool isDeal=(action=="DEAL");
      if(isDeal != (type==ORDER_TYPE_BUY || type==ORDER_TYPE_SELL))
        {
         errMsg="orderType "+typeName+" does not fit action "+action;
         return(false);
        }
      if(!rq.GetNumber("volume",volume) || volume<=0.0)
        {
         errMsg="volume must be a number > 0";
         return(false);
        }
      double price=0.0;
      double sl=0.0;
      double tp=0.0;
      if(!PdOptionalPrice(rq,"price",price) || !PdOptionalPrice(rq,"sl",sl) || !PdOptionalPrice(rq,"tp",tp))
        {
         errMsg="price, sl and tp must be numbers >= 0";
         return(false);
        }
      if(!PdEnsureSymbol(symbol,errCode,errMsg))
         return(false);
      errCode="INVALID_PARAMS";
      req.action=isDeal ? TRADE_ACTION_DEAL : TRADE_ACTION_PENDING;
      req.symbol=symbol;
      req.type=type;
      req.volume=PdNormalizeVolume(symbol,volume);
      req.sl=PdNormalizePrice(symbol,sl);
      req.tp=PdNormalizePrice(symbol,tp);
      if(isDeal)
        {
         long deviation=PD_DEFAULT_DEVIATION;
         if(!rq.IsMissing("deviation") && (!rq.GetLong("deviation",deviation) || deviation<0))
           {
            errMsg="deviation must be an integer >= 0";
            return(false);
           }
         req.deviation=(ulong)deviation;
         if(price<=0.0)
           {
            // Request/Instant execution needs a price; Market execution ignores it. Use the side that fills.
            MqlTick tick;
            if(!PdCurrentTick(symbol,tick,errCode,errMsg))
               return(false);
            errCode="INVALID_PARAMS";
            price=(type==ORDER_TYPE_BUY) ? tick.ask : tick.bid;
           }
         req.price=PdNormalizePrice(symbol,price);
         if(!rq.IsMissing("position"))
           {
            ulong position=0;
            if(!PdRequiredTicket(rq,"position",position))
              {
               errMsg="position must be a ticket string";
               return(false);
              }
            req.position=position;
           }
        }
      else
        {
         if(price<=0.0)
           {
            errMsg="a pending order needs price > 0";
            return(false);
           }
         req.price=PdNormalizePrice(symbol,price);
         double stopLimit=0.0;
         if(!PdOptionalPrice(rq,"stopLimit",stopLimit))
           {
            errMsg="stopLimit must be a number >= 0";
            return(false);
           }
         if((type==ORDER_TYPE_BUY_STOP_LIMIT || type==ORDER_TYPE_SELL_STOP_LIMIT) && stopLimit<=0.0)
           {
            errMsg="a stop-limit order needs stopLimit > 0";
            return(false);
           }
         req.stoplimit=PdNormalizePrice(symbol,stopLimit);
         if(!PdReadTypeTime(rq,symbol,req,errMsg))
            return(false);
        }
      if(!rq.IsMissing("filling"))
        {
         string fillingName="";
         ENUM_ORDER_TYPE_FILLING given=ORDER_FILLING_FOK;
         if(!rq.GetString("filling",fillingName) || !PdParseFilling(fillingName,given))
           {
            errMsg="filling must be FOK, IOC, RETURN or BOC";
            return(false);
           }
         if(given==ORDER_FILLING_BOC && !PdIsLimitType(type))
           {
            errMsg="filling BOC is only for limit and stop-limit orders";
            return(false);
           }
         // A filling the app chose is sent as is, without the 10030 retry.
         ArrayResize(candidates,1);
         candidates[0]=given;
        }
      else
         PdFillingCandidates(symbol,type,candidates);
      needsFilling=true;
      if(ArraySize(candidates)>0)
         req.type_filling=candidates[0];
      errCode="";
      return(true);
     }

   if(action=="SLTP")
     {
      string symbol="";
      double sl=0.0;
      double tp=0.0;
      ulong position=0;
      if(!PdRequiredTicket(rq,"position",position) || !rq.GetNumber("sl",sl) || !rq.GetNumber("tp",tp) ||
         sl<0.0 || tp<0.0)
        {
         errMsg="SLTP needs position, sl >= 0 and tp >= 0";
         return(false);
        }
      req.action=TRADE_ACTION_SLTP;
      req.position=position;
      if(!PositionSelectByTicket(position))
        {
         // Closed, or never open: 10036 as the trade server answers, and nothing is sent.
         if(rq.GetString("symbol",symbol))
            req.symbol=symbol;
         localRetcode=PD_RETCODE_POSITION_CLOSED;
         errCode="";
         return(true);
        }
      symbol=PositionGetString(POSITION_SYMBOL);
      req.position=position;
      req.symbol=symbol;
      req.sl=PdNormalizePrice(symbol,sl);
      req.tp=PdNormalizePrice(symbol,tp);
      errCode="";
      return(true);
     }

   if(action=="MODIFY")
     {
      double price=0.0;
      double sl=0.0;
      double tp=0.0;
      double stopLimit=0.0;
      ulong order=0;
      if(!PdRequiredTicket(rq,"order",order) || !rq.GetNumber("price",price) || price<=0.0 ||
         !rq.GetNumber("sl",sl) || !rq.GetNumber("tp",tp) || sl<0.0 || tp<0.0 || !PdOptionalPrice(rq,"stopLimit",stopLimit))
        {
         errMsg="MODIFY needs order, price > 0, sl >= 0 and tp >= 0";
         return(false);
        }
      req.action=TRADE_ACTION_MODIFY;
      req.order=order;
      if(!OrderSelect(order))
        {
         // Filled, cancelled, expired or never placed: 10013 as the simulator answers, and nothing is sent.
         localRetcode=PD_RETCODE_INVALID;
         errCode="";
         return(true);
        }
      string symbol=OrderGetString(ORDER_SYMBOL);
      req.order=order;
      req.symbol=symbol;
      req.price=PdNormalizePrice(symbol,price);
      // Absent stopLimit keeps the order's own: 0 would turn a stop-limit order's limit price into "none".
      if(rq.IsMissing("stopLimit"))
         stopLimit=OrderGetDouble(ORDER_PRICE_STOPLIMIT);
      req.stoplimit=PdNormalizePrice(symbol,stopLimit);
      req.sl=PdNormalizePrice(symbol,sl);
      req.tp=PdNormalizePrice(symbol,tp);
      // Keep the order's own expiration unless the app changes it.
      req.type_time=(ENUM_ORDER_TYPE_TIME)OrderGetInteger(ORDER_TYPE_TIME);
      req.expiration=(datetime)OrderGetInteger(ORDER_TIME_EXPIRATION);
      if(!rq.IsMissing("typeTime") && !PdReadTypeTime(rq,symbol,req,errMsg))
         return(false);
      errCode="";
      return(true);
     }

   if(action=="REMOVE")
     {
      ulong order=0;
      if(!PdRequiredTicket(rq,"order",order))
        {
         errMsg="REMOVE needs order";
         return(false);
        }
      req.action=TRADE_ACTION_REMOVE;
      req.order=order;
      if(!OrderSelect(order))
        {
         localRetcode=PD_RETCODE_INVALID;
         errCode="";
         return(true);
        }
      req.symbol=OrderGetString(ORDER_SYMBOL);
      errCode="";
      return(true);
     }

   if(action=="CLOSE_BY")
     {
      ulong position=0;
      ulong positionBy=0;
      if(!PdRequiredTicket(rq,"position",position) || !PdRequiredTicket(rq,"positionBy",positionBy))
        {
         errMsg="CLOSE_BY needs position and positionBy";
         return(false);
        }
      req.action=TRADE_ACTION_CLOSE_BY;
      req.position=position;
      req.position_by=positionBy;
      if(!PositionSelectByTicket(positionBy) || !PositionSelectByTicket(position))
        {
         localRetcode=PD_RETCODE_POSITION_CLOSED;
         errCode="";
         return(true);
        }
      req.symbol=PositionGetString(POSITION_SYMBOL);
      errCode="";
      return(true);
     }

   errMsg="unknown action "+action;
   return(false);
  }

//+------------------------------------------------------------------+
//| Execution                                                        |
//+------------------------------------------------------------------+
// TradeResult as the protocol defines it. It carries no outcome class: the app derives that from the retcode.
string PdTradeResultJson(const MqlTradeRequest &req,const MqlTradeResult &res,const bool usesFilling,
                         const bool duplicate)
  {
   int digits=(req.symbol=="") ? 8 : PdSymbolDigits(req.symbol);
   PdJsonWriter w;
   w.BeginObject();
   w.Int("retcode",(long)res.retcode);
   w.Str("message",res.comment);
   w.U64("order",res.order);
   w.U64("deal",res.deal);
   w.Num("volume",res.volume,8);
   w.Num("price",res.price,digits);
   w.Num("bid",res.bid,digits);
   w.Num("ask",res.ask,digits);
   w.Int("requestId",(long)res.request_id);
   w.Int("retcodeExternal",(long)res.retcode_external);
   if(usesFilling)
      w.Str("filling",PdFillingName(req.type_filling));
   w.Bool("duplicate",duplicate);
   w.EndObject();
   return(w.Text());
  }

// The CheckResult JSON of an order_check.
string PdCheckResultJson(const MqlTradeCheckResult &check,const uint code,const string message)
  {
   int md=PdMoneyDigits();
   PdJsonWriter w;
   w.BeginObject();
   w.Int("retcode",(long)code);
   w.Str("message",message);
   w.Num("balance",check.balance,md);
   w.Num("equity",check.equity,md);
   w.Num("profit",check.profit,md);
   w.Num("margin",check.margin,md);
   w.Num("marginFree",check.margin_free,md);
   w.Num("marginLevel",check.margin_level,2);
   w.EndObject();
   return(w.Text());
  }

// order_check runs OrderCheck. order_send runs OrderCheck first for DEAL and PENDING only (margin and volume are
// checked locally before anything leaves the terminal) and then OrderSend; SLTP, MODIFY, REMOVE and CLOSE_BY go
// straight to OrderSend as CTrade sends them: OrderCheck adds nothing the server does not check, and a local
// refusal of a stop change near the market would hide the server's own answer. The next filling candidate is
// tried once after 10030. Fills `result` with a TradeResult (send) or CheckResult (check only) and returns the
// outcome class of its retcode, which the EA uses only to decide what goes into the dedup table.
string PdExecute(MqlTradeRequest &req,ENUM_ORDER_TYPE_FILLING &candidates[],const bool needsFilling,const bool send,
                 string &result)
  {
   int ncand=ArraySize(candidates);
   bool usesFilling=needsFilling;
   MqlTradeCheckResult check;
   MqlTradeResult res;
   ZeroMemory(check);
   ZeroMemory(res);
   if(needsFilling && ncand==0)
     {
      // CTrade answers this itself: nothing is sent.
      string why="the symbol allows neither FOK nor IOC filling; nothing was sent";
      if(!send)
        {
         result=PdCheckResultJson(check,PD_RETCODE_INVALID_FILL,why);
         return(PdCheckOutcome(PD_RETCODE_INVALID_FILL));
        }
      res.retcode=PD_RETCODE_INVALID_FILL;
      res.comment=why;
      result=PdTradeResultJson(req,res,false,false);
      return(PdOutcome(res.retcode));
     }
   bool gate=(!send || req.action==TRADE_ACTION_DEAL || req.action==TRADE_ACTION_PENDING);
   int fi=0;
   while(true)
     {
      if(usesFilling)
         req.type_filling=candidates[fi];
      ZeroMemory(check);
      ZeroMemory(res);
      // The 10030 retry belongs to order_send only; order_check reports the first candidate's verdict.
      bool canRetry=(send && usesFilling && fi+1<ncand);
      if(gate)
        {
         ResetLastError();
         bool checked=OrderCheck(req,check);
         if(!checked && check.retcode==PD_RETCODE_INVALID_FILL && canRetry)
           {
            fi++;
            continue;
           }
         if(!send)
           {
            uint code=check.retcode;
            if(!checked && code==0)
               code=10013; // OrderCheck failed without a code: report it as INVALID rather than "passed"
            string message=check.comment;
            if(!checked && message=="")
               message="OrderCheck failed, error "+IntegerToString(GetLastError());
            result=PdCheckResultJson(check,code,message);
            return(PdCheckOutcome(code));
           }
         if(!checked)
           {
            // Nothing was sent: the check's verdict is the answer (0 would read as "unknown", so it becomes INVALID).
            res.retcode=(check.retcode!=0) ? check.retcode : (uint)10013;
            res.comment=(check.comment!="") ? check.comment : "OrderCheck failed, error "+IntegerToString(GetLastError());
            string rejected=PdOutcome(res.retcode);
            result=PdTradeResultJson(req,res,usesFilling,false);
            return(rejected);
           }
        }
      ResetLastError();
      bool sent=OrderSend(req,res);
      if(res.retcode==PD_RETCODE_INVALID_FILL && canRetry)
        {
         fi++;
         continue;
        }
      // The outcome follows the retcode exactly as the app classifies it (retcode 0 stays "unknown").
      string outcome=PdOutcome(res.retcode);
      if(!sent && res.comment=="")
         res.comment="OrderSend returned false, error "+IntegerToString(GetLastError());
      result=PdTradeResultJson(req,res,usesFilling,false);
      return(outcome);
     }
   return("unknown");
  }

//+------------------------------------------------------------------+
//| Lookup by client order id                                        |
//+------------------------------------------------------------------+
bool PdU64In(const ulong value,const ulong &set[],const int count)
  {
   for(int i=0; i<count; i++)
      if(set[i]==value)
         return(true);
   return(false);
  }

void PdU64Add(const ulong value,ulong &set[],int &count)
  {
   if(value==0 || PdU64In(value,set,count))
      return;
   ArrayResize(set,count+1,16);
   set[count]=value;
   count++;
  }

// Positions, orders and deals carrying the clOrdId in their comment, plus every deal of an order that carried it
// and every deal of a position such an order opened (MT5 rewrites comments of SL/TP closing deals, so those are
// found through the position). A position's identifier is the ticket of the order that opened it, so a position
// is followed only when it was opened by an order carrying the id: a netting order that added to an older position,
// or a partial close, must not bring in that position's other deals (docs/order-lifecycle.md, Reconciliation rules).
bool PdHandleLookup(PdJsonReader &rq,PdDedupTable &dedup,PdActionLog &actions,const int frameBudget,string &result,
                    string &errCode,string &errMsg)
  {
   string clOrdId="";
   if(!rq.GetString("clOrdId",clOrdId) || !PdValidClOrdId(clOrdId))
     {
      errCode="INVALID_PARAMS";
      errMsg="clOrdId must be 1-26 of A-Z a-z 0-9 _ . : -";
      return(false);
     }
   datetime serverNow=TimeTradeServer();
   long sinceMs=PdDatetimeMs(serverNow)-(long)PD_LOOKUP_DEFAULT_DAYS*86400*1000;
   if(!rq.IsMissing("sinceMs"))
     {
      if(!rq.GetLong("sinceMs",sinceMs) || sinceMs<0)
        {
         errCode="INVALID_PARAMS";
         errMsg="sinceMs must be an integer >= 0";
         return(false);
        }
      sinceMs-=PD_LOOKUP_MARGIN_MS;
     }
   if(sinceMs<0)
      sinceMs=0;
   ulong orderSet[];
   int orderCount=0;
   PdListBuilder positions;
   PdListBuilder orders;
   PdListBuilder deals;
   // Three lists share one frame.
   positions.Reset(frameBudget/3);
   orders.Reset(frameBudget/3);
   deals.Reset(frameBudget/3);

   int total=OrdersTotal();
   for(int i=0; i<total; i++)
     {
      ulong ticket=OrderGetTicket(i);
      if(ticket==0 || OrderGetString(ORDER_COMMENT)!=clOrdId)
         continue;
      PdU64Add(ticket,orderSet,orderCount);
      orders.Add(PdSelectedOrderJson());
     }
   ResetLastError();
   if(!HistorySelect((datetime)(sinceMs/1000),serverNow+86400))
     {
      errCode="TERMINAL_ERROR";
      errMsg="HistorySelect failed, error "+IntegerToString(GetLastError());
      return(false);
     }
   // Filled or cancelled orders that carried the id, and the orders of deals that carried it.
   total=HistoryOrdersTotal();
   for(int i=0; i<total; i++)
     {
      ulong ticket=HistoryOrderGetTicket(i);
      if(ticket!=0 && HistoryOrderGetString(ticket,ORDER_COMMENT)==clOrdId)
         PdU64Add(ticket,orderSet,orderCount);
     }
   total=HistoryDealsTotal();
   for(int i=0; i<total; i++)
     {
      ulong ticket=HistoryDealGetTicket(i);
      if(ticket!=0 && HistoryDealGetString(ticket,DEAL_COMMENT)==clOrdId)
         PdU64Add((ulong)HistoryDealGetInteger(ticket,DEAL_ORDER),orderSet,orderCount);
     }
   // A netting reversal (one IN/OUT deal of ours) turns an older position into the one our order opened: the
   // position keeps its identifier, its ticket becomes our order's. Its later closes are ours from that deal on.
   ulong reversedIds[];
   long reversedFrom[];
   int reversedCount=0;
   for(int i=0; i<total; i++)
     {
      ulong ticket=HistoryDealGetTicket(i);
      if(ticket==0 || HistoryDealGetInteger(ticket,DEAL_ENTRY)!=DEAL_ENTRY_INOUT ||
         !PdU64In((ulong)HistoryDealGetInteger(ticket,DEAL_ORDER),orderSet,orderCount))
         continue;
      ArrayResize(reversedIds,reversedCount+1,8);
      ArrayResize(reversedFrom,reversedCount+1,8);
      reversedIds[reversedCount]=(ulong)HistoryDealGetInteger(ticket,DEAL_POSITION_ID);
      reversedFrom[reversedCount]=HistoryDealGetInteger(ticket,DEAL_TIME_MSC);
      reversedCount++;
     }
   // Deals of those orders, and the closing deals (SL/TP, stop out, other closes) of positions those orders
   // opened (identifier = opening order's ticket) or reversed; another order's addition to such a netting position
   // is not ours.
   for(int i=0; i<total; i++)
     {
      ulong ticket=HistoryDealGetTicket(i);
      if(ticket==0)
         continue;
      bool closing=(HistoryDealGetInteger(ticket,DEAL_ENTRY)!=DEAL_ENTRY_IN);
      ulong positionId=(ulong)HistoryDealGetInteger(ticket,DEAL_POSITION_ID);
      bool match=(HistoryDealGetString(ticket,DEAL_COMMENT)==clOrdId) ||
                 PdU64In((ulong)HistoryDealGetInteger(ticket,DEAL_ORDER),orderSet,orderCount) ||
                 (closing && PdU64In(positionId,orderSet,orderCount));
      for(int r=0; r<reversedCount && !match; r++)
         match=(closing && positionId==reversedIds[r] && HistoryDealGetInteger(ticket,DEAL_TIME_MSC)>=reversedFrom[r]);
      if(match)
         deals.Add(PdDealJson(ticket));
     }
   // Open positions: by comment, opened by an order that carried the id, or reversed by one (the position's ticket
   // is then that order's ticket).
   ENUM_TRADE_REQUEST_ACTIONS action=TRADE_ACTION_DEAL;
   ulong target=0;
   string actionResult="";
   bool logged=actions.Get(clOrdId,action,target,actionResult);
   total=PositionsTotal();
   for(int i=0; i<total; i++)
     {
      ulong ticket=PositionGetTicket(i);
      if(ticket==0)
         continue;
      if(PositionGetString(POSITION_COMMENT)==clOrdId || PdU64In(ticket,orderSet,orderCount) ||
         PdU64In((ulong)PositionGetInteger(POSITION_IDENTIFIER),orderSet,orderCount) ||
         (logged && action==TRADE_ACTION_SLTP && ticket==target))
         positions.Add(PdSelectedPositionJson());
     }
   // MODIFY and REMOVE: the working order they were sent for, as it is now (absent once removed or filled).
   if(logged && (action==TRADE_ACTION_MODIFY || action==TRADE_ACTION_REMOVE) && !PdU64In(target,orderSet,orderCount) &&
      OrderSelect(target))
      orders.Add(PdSelectedOrderJson());
   string stored="";
   bool hasStored=dedup.Get(clOrdId,stored);
   if(!hasStored && logged && actionResult!="")
     {
      stored=actionResult;
      hasStored=true;
     }
   bool found=(positions.Count()+orders.Count()+deals.Count()>0) || hasStored || logged;
   PdJsonWriter w;
   w.BeginObject();
   w.Str("clOrdId",clOrdId);
   w.Bool("found",found);
   w.Raw("positions",positions.Json());
   w.Raw("orders",orders.Json());
   w.Raw("deals",deals.Json());
   if(hasStored)
      w.Raw("lastResult",stored);
   if(positions.Truncated() || orders.Truncated() || deals.Truncated())
      w.Bool("truncated",true);
   w.EndObject();
   result=w.Text();
   return(true);
  }

#endif
