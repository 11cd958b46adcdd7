//+------------------------------------------------------------------+
//| Market.mqh - Pipdesk bridge: read-only requests (account,        |
//| symbols, symbol_spec, quote, positions, orders, history_deals,   |
//| calc_margin) and the JSON shapes they answer with.               |
//| Each handler fills `result` (a JSON object) and returns true, or |
//| sets `errCode`/`errMsg` (EaErrorCode names) and returns false.   |
//+------------------------------------------------------------------+
#ifndef PIPDESK_MARKET_MQH
#define PIPDESK_MARKET_MQH

// Room left for the response envelope when a list is cut to fit in one frame.
#define PD_FRAME_RESERVE 4096

// UTF-8 length of an MQL5 (UTF-16) string, to keep list answers under the frame limit.
int PdUtf8Len(const string s)
  {
   int n=0;
   int len=StringLen(s);
   for(int i=0; i<len; i++)
     {
      ushort c=StringGetCharacter(s,i);
      if(c<0x80)
         n+=1;
      else if(c<0x800)
         n+=2;
      else if(c>=0xD800 && c<=0xDFFF)
         n+=2; // each half of a surrogate pair; the pair is 4 bytes
      else
         n+=3;
     }
   return(n);
  }

// Collects list entries (already serialized) until the frame budget is used; then marks the list truncated.
class PdListBuilder
  {
private:
   string            m_body;
   int               m_bytes;
   int               m_budget;
   int               m_count;
   bool              m_truncated;

public:
   void              Reset(const int budget)
     {
      m_body="";
      m_bytes=0;
      m_budget=budget-PD_FRAME_RESERVE;
      m_count=0;
      m_truncated=false;
     }

                     PdListBuilder() { Reset(1048576); }

   bool              Add(const string entryJson)
     {
      if(m_truncated)
         return(false);
      int n=PdUtf8Len(entryJson)+1;
      if(m_bytes+n>m_budget)
        {
         m_truncated=true;
         return(false);
        }
      if(m_count>0)
         StringAdd(m_body,",");
      StringAdd(m_body,entryJson);
      m_bytes+=n;
      m_count++;
      return(true);
     }

   string            Json() { return("["+m_body+"]"); }
   bool              Truncated() { return(m_truncated); }
   int               Count() { return(m_count); }
  };

//+------------------------------------------------------------------+
//| Shapes                                                           |
//+------------------------------------------------------------------+
void PdWriteAccountFields(PdJsonWriter &w)
  {
   int md=PdMoneyDigits();
   w.Str("login",IntegerToString(AccountInfoInteger(ACCOUNT_LOGIN)));
   w.Str("server",AccountInfoString(ACCOUNT_SERVER));
   w.Str("currency",AccountInfoString(ACCOUNT_CURRENCY));
   w.Int("currencyDigits",md);
   w.Int("leverage",AccountInfoInteger(ACCOUNT_LEVERAGE));
   w.Str("marginMode",PdMarginModeName(AccountInfoInteger(ACCOUNT_MARGIN_MODE)));
   w.Str("tradeMode",PdAccountTradeModeName(AccountInfoInteger(ACCOUNT_TRADE_MODE)));
   w.Str("name",AccountInfoString(ACCOUNT_NAME));
   w.Str("company",AccountInfoString(ACCOUNT_COMPANY));
   w.Num("balance",AccountInfoDouble(ACCOUNT_BALANCE),md);
   w.Num("credit",AccountInfoDouble(ACCOUNT_CREDIT),md);
   w.Num("profit",AccountInfoDouble(ACCOUNT_PROFIT),md);
   w.Num("equity",AccountInfoDouble(ACCOUNT_EQUITY),md);
   w.Num("margin",AccountInfoDouble(ACCOUNT_MARGIN),md);
   w.Num("marginFree",AccountInfoDouble(ACCOUNT_MARGIN_FREE),md);
   w.Num("marginLevel",AccountInfoDouble(ACCOUNT_MARGIN_LEVEL),2);
   w.Str("marginSoMode",PdStopoutModeName(AccountInfoInteger(ACCOUNT_MARGIN_SO_MODE)));
   w.Num("marginSoCall",AccountInfoDouble(ACCOUNT_MARGIN_SO_CALL),md);
   w.Num("marginSoSo",AccountInfoDouble(ACCOUNT_MARGIN_SO_SO),md);
   w.Bool("tradeAllowed",AccountInfoInteger(ACCOUNT_TRADE_ALLOWED)!=0);
   w.Bool("tradeExpert",AccountInfoInteger(ACCOUNT_TRADE_EXPERT)!=0);
   w.Int("limitOrders",AccountInfoInteger(ACCOUNT_LIMIT_ORDERS));
   w.Bool("fifoClose",AccountInfoInteger(ACCOUNT_FIFO_CLOSE)!=0);
   w.Int("timeOffsetSec",PdTimeOffsetSec());
  }

// WireTick fields of a quote.
void PdWriteTickFields(PdJsonWriter &w,const string symbol,const MqlTick &tick)
  {
   int digits=PdSymbolDigits(symbol);
   w.Str("symbol",symbol);
   w.Num("bid",tick.bid,digits);
   w.Num("ask",tick.ask,digits);
   w.Num("last",tick.last,digits);
   double vol=(tick.volume_real>0.0) ? tick.volume_real : (double)tick.volume;
   w.Num("volume",vol,8);
   w.Int("timeMsc",tick.time_msc);
  }

// WirePosition of the position selected by PositionGetTicket / PositionSelectByTicket.
string PdSelectedPositionJson()
  {
   string symbol=PositionGetString(POSITION_SYMBOL);
   int digits=PdSymbolDigits(symbol);
   int md=PdMoneyDigits();
   PdJsonWriter w;
   w.BeginObject();
   w.U64("ticket",(ulong)PositionGetInteger(POSITION_TICKET));
   w.U64("identifier",(ulong)PositionGetInteger(POSITION_IDENTIFIER));
   w.Str("symbol",symbol);
   w.Int("type",PositionGetInteger(POSITION_TYPE));
   w.Num("volume",PositionGetDouble(POSITION_VOLUME),8);
   w.Num("priceOpen",PositionGetDouble(POSITION_PRICE_OPEN),digits);
   w.Num("priceCurrent",PositionGetDouble(POSITION_PRICE_CURRENT),digits);
   w.Num("sl",PositionGetDouble(POSITION_SL),digits);
   w.Num("tp",PositionGetDouble(POSITION_TP),digits);
   w.Num("profit",PositionGetDouble(POSITION_PROFIT),md);
   w.Num("swap",PositionGetDouble(POSITION_SWAP),md);
   w.U64("magic",(ulong)PositionGetInteger(POSITION_MAGIC));
   w.Str("comment",PositionGetString(POSITION_COMMENT));
   w.Int("timeMsc",PositionGetInteger(POSITION_TIME_MSC));
   w.Int("timeUpdateMsc",PositionGetInteger(POSITION_TIME_UPDATE_MSC));
   w.EndObject();
   return(w.Text());
  }

// WireOrder of the working order selected by OrderGetTicket / OrderSelect.
string PdSelectedOrderJson()
  {
   string symbol=OrderGetString(ORDER_SYMBOL);
   int digits=PdSymbolDigits(symbol);
   PdJsonWriter w;
   w.BeginObject();
   w.U64("ticket",(ulong)OrderGetInteger(ORDER_TICKET));
   w.Str("symbol",symbol);
   w.Int("type",OrderGetInteger(ORDER_TYPE));
   w.Int("state",OrderGetInteger(ORDER_STATE));
   w.Num("volumeInitial",OrderGetDouble(ORDER_VOLUME_INITIAL),8);
   w.Num("volumeCurrent",OrderGetDouble(ORDER_VOLUME_CURRENT),8);
   w.Num("priceOpen",OrderGetDouble(ORDER_PRICE_OPEN),digits);
   w.Num("priceStopLimit",OrderGetDouble(ORDER_PRICE_STOPLIMIT),digits);
   w.Num("priceCurrent",OrderGetDouble(ORDER_PRICE_CURRENT),digits);
   w.Num("sl",OrderGetDouble(ORDER_SL),digits);
   w.Num("tp",OrderGetDouble(ORDER_TP),digits);
   w.Int("typeTime",OrderGetInteger(ORDER_TYPE_TIME));
   w.Int("expirationMs",PdDatetimeMs((datetime)OrderGetInteger(ORDER_TIME_EXPIRATION)));
   w.Int("typeFilling",OrderGetInteger(ORDER_TYPE_FILLING));
   w.U64("positionId",(ulong)OrderGetInteger(ORDER_POSITION_ID));
   w.U64("magic",(ulong)OrderGetInteger(ORDER_MAGIC));
   w.Str("comment",OrderGetString(ORDER_COMMENT));
   w.Int("timeSetupMsc",OrderGetInteger(ORDER_TIME_SETUP_MSC));
   w.EndObject();
   return(w.Text());
  }

// WireDeal of a deal in the history selected by HistorySelect.
string PdDealJson(const ulong ticket)
  {
   string symbol=HistoryDealGetString(ticket,DEAL_SYMBOL);
   int digits=(symbol=="") ? 8 : PdSymbolDigits(symbol);
   int md=PdMoneyDigits();
   PdJsonWriter w;
   w.BeginObject();
   w.U64("ticket",ticket);
   w.U64("order",(ulong)HistoryDealGetInteger(ticket,DEAL_ORDER));
   w.U64("positionId",(ulong)HistoryDealGetInteger(ticket,DEAL_POSITION_ID));
   w.Str("symbol",symbol);
   w.Int("type",HistoryDealGetInteger(ticket,DEAL_TYPE));
   w.Int("entry",HistoryDealGetInteger(ticket,DEAL_ENTRY));
   w.Int("reason",HistoryDealGetInteger(ticket,DEAL_REASON));
   w.Num("volume",HistoryDealGetDouble(ticket,DEAL_VOLUME),8);
   w.Num("price",HistoryDealGetDouble(ticket,DEAL_PRICE),digits);
   w.Num("profit",HistoryDealGetDouble(ticket,DEAL_PROFIT),md);
   w.Num("swap",HistoryDealGetDouble(ticket,DEAL_SWAP),md);
   w.Num("commission",HistoryDealGetDouble(ticket,DEAL_COMMISSION),md);
   w.U64("magic",(ulong)HistoryDealGetInteger(ticket,DEAL_MAGIC));
   w.Str("comment",HistoryDealGetString(ticket,DEAL_COMMENT));
   w.Int("timeMsc",HistoryDealGetInteger(ticket,DEAL_TIME_MSC));
   w.EndObject();
   return(w.Text());
  }

//+------------------------------------------------------------------+
//| Symbol helpers                                                   |
//+------------------------------------------------------------------+
// Adds the symbol to Market Watch (needed for fresh quotes). False when the broker has no such symbol.
bool PdEnsureSymbol(const string symbol,string &errCode,string &errMsg)
  {
   if(symbol=="" || StringLen(symbol)>64)
     {
      errCode="INVALID_PARAMS";
      errMsg="symbol must be 1-64 characters";
      return(false);
     }
   ResetLastError();
   if(!SymbolSelect(symbol,true))
     {
      errCode="UNKNOWN_SYMBOL";
      errMsg="no symbol "+symbol+" at this broker (error "+IntegerToString(GetLastError())+")";
      return(false);
     }
   return(true);
  }

// Whether a trade session of the symbol covers the trade server's current time.
bool PdSessionOpen(const string symbol)
  {
   MqlDateTime now;
   TimeToStruct(TimeTradeServer(),now);
   long secOfDay=(long)now.hour*3600+(long)now.min*60+(long)now.sec;
   ENUM_DAY_OF_WEEK day=(ENUM_DAY_OF_WEEK)now.day_of_week;
   datetime from=0;
   datetime to=0;
   for(uint i=0; i<32; i++)
     {
      if(!SymbolInfoSessionTrade(symbol,day,i,from,to))
         break;
      long f=(long)from%86400;
      long t=(long)to;
      // A session ending at 24:00 is reported as 86400; one that wraps midnight ends before it starts.
      if(t>86400)
         t=t%86400;
      if(t>f)
        {
         if(secOfDay>=f && secOfDay<t)
            return(true);
        }
      else if(secOfDay>=f || secOfDay<t)
         return(true);
     }
   return(false);
  }

//+------------------------------------------------------------------+
//| Handlers                                                         |
//+------------------------------------------------------------------+
bool PdHandleAccount(PdJsonReader &rq,string &result,string &errCode,string &errMsg)
  {
   PdJsonWriter w;
   w.BeginObject();
   PdWriteAccountFields(w);
   w.EndObject();
   result=w.Text();
   return(true);
  }

bool PdHandleSymbols(PdJsonReader &rq,const int frameBudget,string &result,string &errCode,string &errMsg)
  {
   PdListBuilder list;
   list.Reset(frameBudget);
   int total=SymbolsTotal(false);
   for(int i=0; i<total; i++)
     {
      string name=SymbolName(i,false);
      if(name=="")
         continue;
      PdJsonWriter e;
      e.BeginObject();
      e.Str("name",name);
      e.Str("description",SymbolInfoString(name,SYMBOL_DESCRIPTION));
      e.Str("path",SymbolInfoString(name,SYMBOL_PATH));
      e.Bool("selected",SymbolInfoInteger(name,SYMBOL_SELECT)!=0);
      e.Int("tradeMode",SymbolInfoInteger(name,SYMBOL_TRADE_MODE));
      e.EndObject();
      if(!list.Add(e.Text()))
         break;
     }
   if(list.Truncated())
      PrintFormat("Pipdesk: symbols list cut at %d of %d entries to fit one frame",list.Count(),total);
   PdJsonWriter w;
   w.BeginObject();
   w.Raw("symbols",list.Json());
   if(list.Truncated())
      w.Bool("truncated",true);
   w.EndObject();
   result=w.Text();
   return(true);
  }

bool PdHandleSymbolSpec(PdJsonReader &rq,string &result,string &errCode,string &errMsg)
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
   int digits=PdSymbolDigits(symbol);
   double point=SymbolInfoDouble(symbol,SYMBOL_POINT);
   double tickSize=SymbolInfoDouble(symbol,SYMBOL_TRADE_TICK_SIZE);
   // Some servers leave the tick size at 0 for instruments quoted on the point grid.
   if(tickSize<=0.0)
      tickSize=point;
   double rateInitial=0.0;
   double rateMaintenance=0.0;
   if(!SymbolInfoMarginRate(symbol,ORDER_TYPE_BUY,rateInitial,rateMaintenance) || rateInitial<=0.0)
      rateInitial=1.0;
   MqlTick tick;
   ZeroMemory(tick);
   SymbolInfoTick(symbol,tick);
   PdJsonWriter w;
   w.BeginObject();
   w.Str("name",symbol);
   w.Str("description",SymbolInfoString(symbol,SYMBOL_DESCRIPTION));
   w.Str("path",SymbolInfoString(symbol,SYMBOL_PATH));
   w.Int("digits",digits);
   w.Num("point",point,10);
   w.Num("tickSize",tickSize,10);
   w.Num("tickValue",SymbolInfoDouble(symbol,SYMBOL_TRADE_TICK_VALUE_LOSS),10);
   w.Num("tickValueProfit",SymbolInfoDouble(symbol,SYMBOL_TRADE_TICK_VALUE_PROFIT),10);
   w.Num("contractSize",SymbolInfoDouble(symbol,SYMBOL_TRADE_CONTRACT_SIZE),8);
   w.Num("volumeMin",SymbolInfoDouble(symbol,SYMBOL_VOLUME_MIN),8);
   w.Num("volumeMax",SymbolInfoDouble(symbol,SYMBOL_VOLUME_MAX),8);
   w.Num("volumeStep",SymbolInfoDouble(symbol,SYMBOL_VOLUME_STEP),8);
   w.Num("volumeLimit",SymbolInfoDouble(symbol,SYMBOL_VOLUME_LIMIT),8);
   w.Str("currencyBase",SymbolInfoString(symbol,SYMBOL_CURRENCY_BASE));
   w.Str("currencyProfit",SymbolInfoString(symbol,SYMBOL_CURRENCY_PROFIT));
   w.Str("currencyMargin",SymbolInfoString(symbol,SYMBOL_CURRENCY_MARGIN));
   w.Int("calcMode",SymbolInfoInteger(symbol,SYMBOL_TRADE_CALC_MODE));
   w.Num("marginInitial",SymbolInfoDouble(symbol,SYMBOL_MARGIN_INITIAL),8);
   w.Num("marginRate",rateInitial,8);
   w.Num("marginHedged",SymbolInfoDouble(symbol,SYMBOL_MARGIN_HEDGED),8);
   w.Int("tradeMode",SymbolInfoInteger(symbol,SYMBOL_TRADE_MODE));
   w.Int("executionMode",SymbolInfoInteger(symbol,SYMBOL_TRADE_EXEMODE));
   w.Int("fillingFlags",SymbolInfoInteger(symbol,SYMBOL_FILLING_MODE));
   w.Int("expirationFlags",SymbolInfoInteger(symbol,SYMBOL_EXPIRATION_MODE));
   w.Int("orderFlags",SymbolInfoInteger(symbol,SYMBOL_ORDER_MODE));
   w.Int("stopsLevel",SymbolInfoInteger(symbol,SYMBOL_TRADE_STOPS_LEVEL));
   w.Int("freezeLevel",SymbolInfoInteger(symbol,SYMBOL_TRADE_FREEZE_LEVEL));
   w.Int("spread",SymbolInfoInteger(symbol,SYMBOL_SPREAD));
   w.Num("bid",tick.bid,digits);
   w.Num("ask",tick.ask,digits);
   w.Bool("sessionOpen",PdSessionOpen(symbol));
   w.EndObject();
   result=w.Text();
   return(true);
  }

// Reads the current quote; NO_QUOTE when the terminal has none yet.
bool PdCurrentTick(const string symbol,MqlTick &tick,string &errCode,string &errMsg)
  {
   ZeroMemory(tick);
   ResetLastError();
   if(!SymbolInfoTick(symbol,tick) || (tick.bid<=0.0 && tick.ask<=0.0))
     {
      errCode="NO_QUOTE";
      errMsg="no quote for "+symbol+" yet (error "+IntegerToString(GetLastError())+")";
      return(false);
     }
   return(true);
  }

bool PdHandleQuote(PdJsonReader &rq,string &result,string &errCode,string &errMsg)
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
   MqlTick tick;
   if(!PdCurrentTick(symbol,tick,errCode,errMsg))
      return(false);
   PdJsonWriter w;
   w.BeginObject();
   PdWriteTickFields(w,symbol,tick);
   w.EndObject();
   result=w.Text();
   return(true);
  }

// Optional `symbol` filter of positions/orders/history_deals: absent or null means all.
bool PdOptionalSymbol(PdJsonReader &rq,string &symbol,string &errCode,string &errMsg)
  {
   symbol="";
   if(rq.IsMissing("symbol"))
      return(true);
   if(!rq.GetString("symbol",symbol) || symbol=="")
     {
      errCode="INVALID_PARAMS";
      errMsg="symbol must be a non-empty string when given";
      return(false);
     }
   return(true);
  }

bool PdHandlePositions(PdJsonReader &rq,const int frameBudget,string &result,string &errCode,string &errMsg)
  {
   string filter="";
   if(!PdOptionalSymbol(rq,filter,errCode,errMsg))
      return(false);
   PdListBuilder list;
   list.Reset(frameBudget);
   int total=PositionsTotal();
   for(int i=0; i<total; i++)
     {
      ulong ticket=PositionGetTicket(i);
      if(ticket==0)
         continue;
      if(filter!="" && PositionGetString(POSITION_SYMBOL)!=filter)
         continue;
      if(!list.Add(PdSelectedPositionJson()))
         break;
     }
   PdJsonWriter w;
   w.BeginObject();
   w.Raw("positions",list.Json());
   if(list.Truncated())
      w.Bool("truncated",true);
   w.EndObject();
   result=w.Text();
   return(true);
  }

bool PdHandleOrders(PdJsonReader &rq,const int frameBudget,string &result,string &errCode,string &errMsg)
  {
   string filter="";
   if(!PdOptionalSymbol(rq,filter,errCode,errMsg))
      return(false);
   PdListBuilder list;
   list.Reset(frameBudget);
   int total=OrdersTotal();
   for(int i=0; i<total; i++)
     {
      ulong ticket=OrderGetTicket(i);
      if(ticket==0)
         continue;
      if(filter!="" && OrderGetString(ORDER_SYMBOL)!=filter)
         continue;
      if(!list.Add(PdSelectedOrderJson()))
         break;
     }
   PdJsonWriter w;
   w.BeginObject();
   w.Raw("orders",list.Json());
   if(list.Truncated())
      w.Bool("truncated",true);
   w.EndObject();
   result=w.Text();
   return(true);
  }

bool PdHandleHistoryDeals(PdJsonReader &rq,const int frameBudget,string &result,string &errCode,string &errMsg)
  {
   long fromMs=0;
   long toMs=0;
   if(!rq.GetLong("fromMs",fromMs) || !rq.GetLong("toMs",toMs) || fromMs<0 || toMs<fromMs)
     {
      errCode="INVALID_PARAMS";
      errMsg="fromMs and toMs must be integers with 0 <= fromMs <= toMs";
      return(false);
     }
   string filter="";
   if(!PdOptionalSymbol(rq,filter,errCode,errMsg))
      return(false);
   ResetLastError();
   // HistorySelect works in whole seconds; deals are then filtered to the exact millisecond range.
   if(!HistorySelect((datetime)(fromMs/1000),(datetime)(toMs/1000)))
     {
      errCode="TERMINAL_ERROR";
      errMsg="HistorySelect failed, error "+IntegerToString(GetLastError());
      return(false);
     }
   PdListBuilder list;
   list.Reset(frameBudget);
   int total=HistoryDealsTotal();
   for(int i=0; i<total; i++)
     {
      ulong ticket=HistoryDealGetTicket(i);
      if(ticket==0)
         continue;
      long t=HistoryDealGetInteger(ticket,DEAL_TIME_MSC);
      if(t<fromMs || t>toMs)
         continue;
      if(filter!="" && HistoryDealGetString(ticket,DEAL_SYMBOL)!=filter)
         continue;
      if(!list.Add(PdDealJson(ticket)))
         break;
     }
   PdJsonWriter w;
   w.BeginObject();
   w.Raw("deals",list.Json());
   if(list.Truncated())
      w.Bool("truncated",true);
   w.EndObject();
   result=w.Text();
   return(true);
  }

bool PdHandleCalcMargin(PdJsonReader &rq,string &result,string &errCode,string &errMsg)
  {
   string symbol="";
   string side="";
   double volume=0.0;
   double price=0.0;
   if(!rq.GetString("symbol",symbol) || !rq.GetString("orderType",side) || !rq.GetNumber("volume",volume) ||
      !rq.GetNumber("price",price) || volume<=0.0 || price<=0.0 || (side!="BUY" && side!="SELL"))
     {
      errCode="INVALID_PARAMS";
      errMsg="calc_margin needs symbol, orderType BUY|SELL, volume > 0 and price > 0";
      return(false);
     }
   if(!PdEnsureSymbol(symbol,errCode,errMsg))
      return(false);
   ENUM_ORDER_TYPE type=(side=="BUY") ? ORDER_TYPE_BUY : ORDER_TYPE_SELL;
   double margin=0.0;
   ResetLastError();
   if(!OrderCalcMargin(type,symbol,volume,price,margin))
     {
      errCode="TERMINAL_ERROR";
      errMsg="OrderCalcMargin failed, error "+IntegerToString(GetLastError());
      return(false);
     }
   PdJsonWriter w;
   w.BeginObject();
   w.Num("margin",margin,PdMoneyDigits());
   w.EndObject();
   result=w.Text();
   return(true);
  }

#endif
