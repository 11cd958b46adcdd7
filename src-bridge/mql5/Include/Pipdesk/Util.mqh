//+------------------------------------------------------------------+
//| Util.mqh - Pipdesk bridge: clocks, protocol names, outcome       |
//| classes and small numeric helpers.                               |
//+------------------------------------------------------------------+
#ifndef PIPDESK_UTIL_MQH
#define PIPDESK_UTIL_MQH

//+------------------------------------------------------------------+
//| Clocks                                                           |
//+------------------------------------------------------------------+
// UTC milliseconds at seconds resolution: compared with the app's `expiresAt` (Date.now() on the same PC).
long PdUtcMs()
  {
   return((long)TimeGMT()*1000);
  }

// A request's expiresAt has passed. Seconds resolution truncates, so this never fires early.
bool PdExpired(const long expiresAt)
  {
   return(expiresAt>0 && PdUtcMs()>expiresAt);
  }

// The trade server's offset from UTC the protocol accepts (seconds).
#define PD_MAX_TIME_OFFSET_SEC 86400

// TimeTradeServer() - TimeGMT() in seconds, rounded to the minute: both are computed from the PC's clock by two
// calls that may straddle a second; time zones are whole minutes. Kept inside the range the protocol accepts.
long PdTimeOffsetSec()
  {
   long diff=(long)TimeTradeServer()-(long)TimeGMT();
   long rounded=(long)MathRound((double)diff/60.0)*60;
   if(rounded>PD_MAX_TIME_OFFSET_SEC)
      rounded=PD_MAX_TIME_OFFSET_SEC;
   if(rounded<-PD_MAX_TIME_OFFSET_SEC)
      rounded=-PD_MAX_TIME_OFFSET_SEC;
   return(rounded);
  }

long PdDatetimeMs(const datetime t)
  {
   return((long)t*1000);
  }

//+------------------------------------------------------------------+
//| Outcome class of a trade server return code.                     |
//| Mirrors src-core/trading/retcodes.ts (ea-source.test.ts checks   |
//| that both agree): done, rejected, retryable or unknown.          |
//+------------------------------------------------------------------+
string PdOutcome(const uint retcode)
  {
   switch(retcode)
     {
      case 10008:
      case 10009:
      case 10010:
      case 10025:
         return("done");
      case 10004:
      case 10020:
      case 10021:
      case 10024:
      case 10030:
         return("retryable");
      case 10006:
      case 10007:
      case 10013:
      case 10014:
      case 10015:
      case 10016:
      case 10017:
      case 10018:
      case 10019:
      case 10022:
      case 10023:
      case 10026:
      case 10027:
      case 10029:
      case 10032:
      case 10033:
      case 10034:
      case 10035:
      case 10036:
      case 10038:
      case 10039:
      case 10040:
      case 10041:
      case 10042:
      case 10043:
      case 10044:
      case 10045:
      case 10046:
         return("rejected");
     }
   // 0 from OrderSend (no answer recorded), 10011 ERROR, 10012 TIMEOUT, 10028 LOCKED (an earlier copy of the
   // request may be the one being processed), 10031 CONNECTION and any code MT5 does not define: the trade may or
   // may not have happened, so the app must reconcile rather than resend.
   return("unknown");
  }

// OrderCheck reports 0 when the request would pass; anything else is classed like an OrderSend retcode.
string PdCheckOutcome(const uint retcode)
  {
   if(retcode==0)
      return("done");
   return(PdOutcome(retcode));
  }

//+------------------------------------------------------------------+
//| Protocol names <-> MT5 enumerations                              |
//+------------------------------------------------------------------+
string PdFillingName(const ENUM_ORDER_TYPE_FILLING f)
  {
   switch(f)
     {
      case ORDER_FILLING_FOK:
         return("FOK");
      case ORDER_FILLING_IOC:
         return("IOC");
      case ORDER_FILLING_RETURN:
         return("RETURN");
      case ORDER_FILLING_BOC:
         return("BOC");
     }
   return("FOK");
  }

bool PdParseFilling(const string name,ENUM_ORDER_TYPE_FILLING &out)
  {
   if(name=="FOK")
     {
      out=ORDER_FILLING_FOK;
      return(true);
     }
   if(name=="IOC")
     {
      out=ORDER_FILLING_IOC;
      return(true);
     }
   if(name=="RETURN")
     {
      out=ORDER_FILLING_RETURN;
      return(true);
     }
   if(name=="BOC")
     {
      out=ORDER_FILLING_BOC;
      return(true);
     }
   return(false);
  }

bool PdParseOrderType(const string name,ENUM_ORDER_TYPE &out)
  {
   if(name=="BUY")
      out=ORDER_TYPE_BUY;
   else if(name=="SELL")
      out=ORDER_TYPE_SELL;
   else if(name=="BUY_LIMIT")
      out=ORDER_TYPE_BUY_LIMIT;
   else if(name=="SELL_LIMIT")
      out=ORDER_TYPE_SELL_LIMIT;
   else if(name=="BUY_STOP")
      out=ORDER_TYPE_BUY_STOP;
   else if(name=="SELL_STOP")
      out=ORDER_TYPE_SELL_STOP;
   else if(name=="BUY_STOP_LIMIT")
      out=ORDER_TYPE_BUY_STOP_LIMIT;
   else if(name=="SELL_STOP_LIMIT")
      out=ORDER_TYPE_SELL_STOP_LIMIT;
   else
      return(false);
   return(true);
  }

bool PdParseTypeTime(const string name,ENUM_ORDER_TYPE_TIME &out)
  {
   if(name=="GTC")
      out=ORDER_TIME_GTC;
   else if(name=="DAY")
      out=ORDER_TIME_DAY;
   else if(name=="SPECIFIED")
      out=ORDER_TIME_SPECIFIED;
   else if(name=="SPECIFIED_DAY")
      out=ORDER_TIME_SPECIFIED_DAY;
   else
      return(false);
   return(true);
  }

// ACCOUNT_MARGIN_MODE: RETAIL_HEDGING is "hedging"; RETAIL_NETTING and EXCHANGE are both netting.
string PdMarginModeName(const long mode)
  {
   if(mode==ACCOUNT_MARGIN_MODE_RETAIL_HEDGING)
      return("hedging");
   return("netting");
  }

// ACCOUNT_TRADE_MODE: DEMO=0, CONTEST=1, REAL=2.
string PdAccountTradeModeName(const long mode)
  {
   if(mode==ACCOUNT_TRADE_MODE_DEMO)
      return("demo");
   if(mode==ACCOUNT_TRADE_MODE_CONTEST)
      return("contest");
   return("real");
  }

// ACCOUNT_MARGIN_SO_MODE: PERCENT=0, MONEY=1.
string PdStopoutModeName(const long mode)
  {
   if(mode==ACCOUNT_STOPOUT_MODE_MONEY)
      return("money");
   return("percent");
  }

//+------------------------------------------------------------------+
//| Numbers                                                          |
//+------------------------------------------------------------------+
int PdSymbolDigits(const string symbol)
  {
   long d=SymbolInfoInteger(symbol,SYMBOL_DIGITS);
   if(d<0 || d>10)
      return(8);
   return((int)d);
  }

int PdMoneyDigits()
  {
   long d=AccountInfoInteger(ACCOUNT_CURRENCY_DIGITS);
   if(d<0 || d>8)
      return(2);
   return((int)d);
  }

// Rounds a price to the symbol's tick size (the app already does; this guards against binary noise).
double PdNormalizePrice(const string symbol,const double price)
  {
   if(price<=0.0)
      return(0.0);
   int digits=PdSymbolDigits(symbol);
   double tick=SymbolInfoDouble(symbol,SYMBOL_TRADE_TICK_SIZE);
   double p=price;
   if(tick>0.0)
      p=MathRound(p/tick)*tick;
   return(NormalizeDouble(p,digits));
  }

// Rounds a volume down to the volume step with a tolerance for binary floating point.
double PdNormalizeVolume(const string symbol,const double volume)
  {
   double step=SymbolInfoDouble(symbol,SYMBOL_VOLUME_STEP);
   double v=volume;
   if(step>0.0)
      v=MathFloor(v/step+1e-9)*step;
   return(NormalizeDouble(v,8));
  }

// Text from the app cut to `maxChars` before it is logged or echoed, so a hostile frame cannot flood the journal or
// make an answer exceed the frame limit.
string PdClip(const string text,const int maxChars)
  {
   if(StringLen(text)<=maxChars)
      return(text);
   return(StringSubstr(text,0,maxChars)+"...");
  }

// Valid client order id: what the app's schema allows (1-26 of A-Z a-z 0-9 _ . : -).
bool PdValidClOrdId(const string id)
  {
   int len=StringLen(id);
   if(len<1 || len>26)
      return(false);
   for(int i=0; i<len; i++)
     {
      ushort c=StringGetCharacter(id,i);
      bool ok=(c>='A' && c<='Z') || (c>='a' && c<='z') || (c>='0' && c<='9') || c=='_' || c=='.' || c==':' || c=='-';
      if(!ok)
         return(false);
     }
   return(true);
  }

#endif
