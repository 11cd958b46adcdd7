//+------------------------------------------------------------------+
//| Rates.mqh - Pipdesk bridge: the `rates` request (CopyRates).     |
//| docs/bridge-protocol.md ("Bars: rates") is the specification;    |
//| src-bridge/protocol/rates.ts holds its schemas.                  |
//+------------------------------------------------------------------+
#ifndef PIPDESK_RATES_MQH
#define PIPDESK_RATES_MQH

// Most rows one answer carries (MAX_RATES_COUNT in rates.ts).
#define PD_MAX_RATES_COUNT 5000

// The protocol's timeframe names are ENUM_TIMEFRAMES without "PERIOD_"; integers never cross the pipe.
bool PdTimeframe(const string name,ENUM_TIMEFRAMES &tf)
  {
   if(name=="M1")
      tf=PERIOD_M1;
   else if(name=="M2")
      tf=PERIOD_M2;
   else if(name=="M3")
      tf=PERIOD_M3;
   else if(name=="M4")
      tf=PERIOD_M4;
   else if(name=="M5")
      tf=PERIOD_M5;
   else if(name=="M6")
      tf=PERIOD_M6;
   else if(name=="M10")
      tf=PERIOD_M10;
   else if(name=="M12")
      tf=PERIOD_M12;
   else if(name=="M15")
      tf=PERIOD_M15;
   else if(name=="M20")
      tf=PERIOD_M20;
   else if(name=="M30")
      tf=PERIOD_M30;
   else if(name=="H1")
      tf=PERIOD_H1;
   else if(name=="H2")
      tf=PERIOD_H2;
   else if(name=="H3")
      tf=PERIOD_H3;
   else if(name=="H4")
      tf=PERIOD_H4;
   else if(name=="H6")
      tf=PERIOD_H6;
   else if(name=="H8")
      tf=PERIOD_H8;
   else if(name=="H12")
      tf=PERIOD_H12;
   else if(name=="D1")
      tf=PERIOD_D1;
   else if(name=="W1")
      tf=PERIOD_W1;
   else if(name=="MN1")
      tf=PERIOD_MN1;
   else
      return(false);
   return(true);
  }

// One row: [timeMs,open,high,low,close,tickVolume,spread]; MqlRates.time is whole seconds on the server clock.
string PdRateJson(const MqlRates &r,const int digits)
  {
   return("["+IntegerToString((long)r.time*1000)+","+PdJsonNumber(r.open,digits)+","+PdJsonNumber(r.high,digits)+","+
          PdJsonNumber(r.low,digits)+","+PdJsonNumber(r.close,digits)+","+IntegerToString((long)r.tick_volume)+","+
          IntegerToString((long)r.spread)+"]");
  }

bool PdHandleRates(PdJsonReader &rq,const int frameBudget,string &result,string &errCode,string &errMsg)
  {
   string symbol="";
   string tfName="";
   ENUM_TIMEFRAMES tf=PERIOD_M1;
   long count=0;
   long startPos=0;
   long fromMs=0;
   long toMs=0;
   bool byCount=rq.Has("count");
   bool valid=rq.GetString("symbol",symbol) && rq.GetString("timeframe",tfName) && PdTimeframe(tfName,tf);
   if(valid && byCount)
      valid=rq.GetLong("count",count) && count>=1 && count<=PD_MAX_RATES_COUNT && !rq.Has("fromMs") &&
            !rq.Has("toMs") && (!rq.Has("startPos") || (rq.GetLong("startPos",startPos) && startPos>=0));
   else
      if(valid)
         valid=rq.GetLong("fromMs",fromMs) && rq.GetLong("toMs",toMs) && fromMs>=0 && toMs>=fromMs &&
               !rq.Has("startPos");
   if(!valid)
     {
      errCode="INVALID_PARAMS";
      errMsg="rates needs symbol, timeframe M1..MN1, and count 1-5000 (optional startPos) or fromMs <= toMs";
      return(false);
     }
   if(!PdEnsureSymbol(symbol,errCode,errMsg))
      return(false);
   MqlRates rates[];
   ArraySetAsSeries(rates,false);
   ResetLastError();
   int copied=0;
   if(byCount)
      copied=CopyRates(symbol,tf,(int)startPos,(int)count,rates);
   else
      copied=CopyRates(symbol,tf,(datetime)(fromMs/1000),(datetime)(toMs/1000),rates);
   if(copied<0)
     {
      errCode="TERMINAL_ERROR";
      errMsg="CopyRates failed, error "+IntegerToString(GetLastError())+" (history may still be loading; ask again)";
      return(false);
     }
   int digits=(int)SymbolInfoInteger(symbol,SYMBOL_DIGITS);
   // CopyRates by time works in whole seconds: keep exactly the rows whose open time is in [fromMs, toMs].
   int last=copied-1;
   while(!byCount && last>=0 && (long)rates[last].time*1000>toMs)
      last--;
   int first=0;
   while(!byCount && first<=last && (long)rates[first].time*1000<fromMs)
      first++;
   // The newest rows matter most (the forming bar): cut from the oldest end, by count and by frame size.
   bool truncated=false;
   if(last-first+1>PD_MAX_RATES_COUNT)
     {
      first=last-PD_MAX_RATES_COUNT+1;
      truncated=true;
     }
   int budget=frameBudget-PD_FRAME_RESERVE;
   int bytes=0;
   for(int i=last; i>=first; i--)
     {
      bytes+=StringLen(PdRateJson(rates[i],digits))+1;
      if(bytes>budget)
        {
         first=i+1;
         truncated=true;
         break;
        }
     }
   string rows="";
   for(int i=first; i<=last; i++)
     {
      if(i>first)
         StringAdd(rows,",");
      StringAdd(rows,PdRateJson(rates[i],digits));
     }
   PdJsonWriter w;
   w.BeginObject();
   w.Str("symbol",symbol);
   w.Str("timeframe",tfName);
   w.Raw("rates","["+rows+"]");
   if(truncated)
      w.Bool("truncated",true);
   w.EndObject();
   result=w.Text();
   return(true);
  }

#endif
