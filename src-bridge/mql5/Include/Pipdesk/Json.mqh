//+------------------------------------------------------------------+
//| Json.mqh - Pipdesk bridge: a small JSON reader and writer.       |
//| The reader accepts one object per line whose values are strings, |
//| numbers, booleans, null or arrays of those; nested objects are   |
//| parsed for validity and ignored. The writer produces nested      |
//| objects and arrays. Strings are MQL5 strings (UTF-16); the pipe  |
//| layer converts to and from UTF-8.                                |
//+------------------------------------------------------------------+
#ifndef PIPDESK_JSON_MQH
#define PIPDESK_JSON_MQH

#define PD_JSON_NONE   0
#define PD_JSON_STRING 1
#define PD_JSON_NUMBER 2
#define PD_JSON_BOOL   3
#define PD_JSON_NULL   4
#define PD_JSON_ARRAY  5
#define PD_JSON_OBJECT 6

// Bounds keep a hostile or broken peer from making the EA allocate without limit.
#define PD_JSON_MAX_FIELDS 128
#define PD_JSON_MAX_ITEMS  1024
#define PD_JSON_MAX_DEPTH  8

//+------------------------------------------------------------------+
//| Text helpers shared by reader and writer                         |
//+------------------------------------------------------------------+
string PdHex4(const uint code)
  {
   string digits="0123456789abcdef";
   string out="";
   for(int shift=12; shift>=0; shift-=4)
     {
      uint nibble=(code>>shift)&0xF;
      out+=StringSubstr(digits,(int)nibble,1);
     }
   return(out);
  }

// Escapes a string for JSON: quotes, backslashes and every control character.
string PdJsonQuote(const string value)
  {
   string out="\"";
   int len=StringLen(value);
   int runStart=0;
   for(int i=0; i<len; i++)
     {
      ushort c=StringGetCharacter(value,i);
      string esc="";
      if(c=='"')
         esc="\\\"";
      else if(c=='\\')
         esc="\\\\";
      else if(c==10)
         esc="\\n";
      else if(c==13)
         esc="\\r";
      else if(c==9)
         esc="\\t";
      else if(c<0x20 || c==0x2028 || c==0x2029)
         esc="\\u"+PdHex4(c);
      else
         continue;
      if(i>runStart)
         StringAdd(out,StringSubstr(value,runStart,i-runStart));
      StringAdd(out,esc);
      runStart=i+1;
     }
   if(len>runStart)
      StringAdd(out,StringSubstr(value,runStart,len-runStart));
   StringAdd(out,"\"");
   return(out);
  }

// Formats a double with at most `digits` decimals and no trailing zeros; NaN/inf are not JSON, so "null".
string PdJsonNumber(const double value,const int digits)
  {
   if(!MathIsValidNumber(value))
      return("null");
   string s=DoubleToString(value,digits);
   if(StringFind(s,".")>=0)
     {
      int end=StringLen(s);
      while(end>0 && StringGetCharacter(s,end-1)=='0')
         end--;
      if(end>0 && StringGetCharacter(s,end-1)=='.')
         end--;
      s=StringSubstr(s,0,end);
     }
   // A small negative value rounds to "-0" (with or without decimals); JSON readers accept it, but 0 is meant.
   if(s=="-0")
      s="0";
   return(s);
  }

// 64-bit tickets and magic numbers travel as decimal strings.
string PdU64(const ulong value)
  {
   return(StringFormat("%I64u",value));
  }

// Parses a non-negative decimal integer string into a ulong; rejects signs, blanks and overflow.
bool PdParseU64(const string text,ulong &out)
  {
   int len=StringLen(text);
   if(len<1 || len>20)
      return(false);
   ulong acc=0;
   for(int i=0; i<len; i++)
     {
      ushort c=StringGetCharacter(text,i);
      if(c<'0' || c>'9')
         return(false);
      ulong d=(ulong)(c-'0');
      if(acc>(ULONG_MAX-d)/10)
         return(false);
      acc=acc*10+d;
     }
   out=acc;
   return(true);
  }

//+------------------------------------------------------------------+
//| Reader                                                           |
//+------------------------------------------------------------------+
class PdJsonReader
  {
private:
   string            m_text;
   int               m_pos;
   int               m_len;
   string            m_error;
   string            m_keys[];
   int               m_types[];
   string            m_values[];    // unescaped string, raw number text, "true"/"false", "null"
   int               m_itemStart[]; // arrays: first index into m_items
   int               m_itemCount[];
   int               m_fieldCount;
   string            m_items[];
   int               m_itemTypes[];
   int               m_itemTotal;

   bool              Fail(const string why)
     {
      if(m_error=="")
         m_error=why+" at "+IntegerToString(m_pos);
      return(false);
     }

   void              SkipWs()
     {
      while(m_pos<m_len)
        {
         ushort c=StringGetCharacter(m_text,m_pos);
         if(c!=' ' && c!=9 && c!=10 && c!=13)
            break;
         m_pos++;
        }
     }

   ushort            Peek()
     {
      if(m_pos>=m_len)
         return(0);
      return(StringGetCharacter(m_text,m_pos));
     }

   bool              Literal(const string word)
     {
      int n=StringLen(word);
      if(m_pos+n>m_len || StringSubstr(m_text,m_pos,n)!=word)
         return(Fail("bad literal"));
      m_pos+=n;
      return(true);
     }

   int               HexValue(const ushort c)
     {
      if(c>='0' && c<='9')
         return((int)(c-'0'));
      if(c>='a' && c<='f')
         return((int)(c-'a')+10);
      if(c>='A' && c<='F')
         return((int)(c-'A')+10);
      return(-1);
     }

   bool              ParseString(string &out)
     {
      if(Peek()!='"')
         return(Fail("expected string"));
      m_pos++;
      out="";
      int runStart=m_pos;
      while(true)
        {
         if(m_pos>=m_len)
            return(Fail("unterminated string"));
         ushort c=StringGetCharacter(m_text,m_pos);
         if(c=='"')
           {
            if(m_pos>runStart)
               StringAdd(out,StringSubstr(m_text,runStart,m_pos-runStart));
            m_pos++;
            return(true);
           }
         if(c<0x20)
            return(Fail("control character in string"));
         if(c!='\\')
           {
            m_pos++;
            continue;
           }
         if(m_pos>runStart)
            StringAdd(out,StringSubstr(m_text,runStart,m_pos-runStart));
         m_pos++;
         if(m_pos>=m_len)
            return(Fail("bad escape"));
         ushort e=StringGetCharacter(m_text,m_pos);
         m_pos++;
         if(e=='"')
            StringAdd(out,"\"");
         else if(e=='\\')
            StringAdd(out,"\\");
         else if(e=='/')
            StringAdd(out,"/");
         else if(e=='b')
            StringAdd(out,ShortToString(8));
         else if(e=='f')
            StringAdd(out,ShortToString(12));
         else if(e=='n')
            StringAdd(out,ShortToString(10));
         else if(e=='r')
            StringAdd(out,ShortToString(13));
         else if(e=='t')
            StringAdd(out,ShortToString(9));
         else if(e=='u')
           {
            if(m_pos+4>m_len)
               return(Fail("bad unicode escape"));
            int code=0;
            for(int k=0; k<4; k++)
              {
               int h=HexValue(StringGetCharacter(m_text,m_pos+k));
               if(h<0)
                  return(Fail("bad unicode escape"));
               code=code*16+h;
              }
            m_pos+=4;
            // MQL5 strings are UTF-16, so surrogate halves are appended as they come and pair up in the string.
            if(code==0)
               return(Fail("NUL in string"));
            StringAdd(out,ShortToString((ushort)code));
           }
         else
            return(Fail("bad escape"));
         runStart=m_pos;
        }
      return(false);
     }

   bool              ParseNumber(string &raw)
     {
      int start=m_pos;
      if(Peek()=='-')
         m_pos++;
      ushort c=Peek();
      if(c=='0')
         m_pos++;
      else if(c>='1' && c<='9')
        {
         while(Peek()>='0' && Peek()<='9')
            m_pos++;
        }
      else
         return(Fail("bad number"));
      if(Peek()=='.')
        {
         m_pos++;
         if(!(Peek()>='0' && Peek()<='9'))
            return(Fail("bad number"));
         while(Peek()>='0' && Peek()<='9')
            m_pos++;
        }
      if(Peek()=='e' || Peek()=='E')
        {
         m_pos++;
         if(Peek()=='+' || Peek()=='-')
            m_pos++;
         if(!(Peek()>='0' && Peek()<='9'))
            return(Fail("bad number"));
         while(Peek()>='0' && Peek()<='9')
            m_pos++;
        }
      raw=StringSubstr(m_text,start,m_pos-start);
      return(true);
     }

   // Parses one scalar; `type` and `value` describe it. Objects/arrays are not scalars here.
   bool              ParseScalar(int &type,string &value)
     {
      ushort c=Peek();
      if(c=='"')
        {
         type=PD_JSON_STRING;
         return(ParseString(value));
        }
      if(c=='t')
        {
         type=PD_JSON_BOOL;
         value="true";
         return(Literal("true"));
        }
      if(c=='f')
        {
         type=PD_JSON_BOOL;
         value="false";
         return(Literal("false"));
        }
      if(c=='n')
        {
         type=PD_JSON_NULL;
         value="null";
         return(Literal("null"));
        }
      if(c=='-' || (c>='0' && c<='9'))
        {
         type=PD_JSON_NUMBER;
         return(ParseNumber(value));
        }
      return(Fail("unexpected character"));
     }

   // Validates and discards any value (used for nested objects and arrays of objects).
   bool              SkipValue(const int depth)
     {
      if(depth>PD_JSON_MAX_DEPTH)
         return(Fail("too deep"));
      SkipWs();
      ushort c=Peek();
      if(c=='{' || c=='[')
        {
         ushort closer=(c=='{') ? (ushort)'}' : (ushort)']';
         m_pos++;
         SkipWs();
         if(Peek()==closer)
           {
            m_pos++;
            return(true);
           }
         while(true)
           {
            SkipWs();
            if(c=='{')
              {
               string k="";
               if(!ParseString(k))
                  return(false);
               SkipWs();
               if(Peek()!=':')
                  return(Fail("expected colon"));
               m_pos++;
              }
            if(!SkipValue(depth+1))
               return(false);
            SkipWs();
            if(Peek()==',')
              {
               m_pos++;
               continue;
              }
            if(Peek()==closer)
              {
               m_pos++;
               return(true);
              }
            return(Fail("expected comma"));
           }
        }
      int t=0;
      string v="";
      return(ParseScalar(t,v));
     }

   bool              AddItem(const int type,const string value)
     {
      if(m_itemTotal>=PD_JSON_MAX_ITEMS)
         return(Fail("too many array items"));
      if(m_itemTotal>=ArraySize(m_items))
        {
         ArrayResize(m_items,m_itemTotal+32);
         ArrayResize(m_itemTypes,m_itemTotal+32);
        }
      m_items[m_itemTotal]=value;
      m_itemTypes[m_itemTotal]=type;
      m_itemTotal++;
      return(true);
     }

   int               Find(const string key)
     {
      for(int i=0; i<m_fieldCount; i++)
         if(m_keys[i]==key)
            return(i);
      return(-1);
     }

public:
   void              Clear()
     {
      m_text="";
      m_pos=0;
      m_len=0;
      m_error="";
      m_fieldCount=0;
      m_itemTotal=0;
     }

   // Constructors and methods call only what is declared above them, so the order of a class body never matters.
                     PdJsonReader() { Clear(); }

   string            Error() { return(m_error); }

   // Parses one JSON object. Returns false with Error() set on anything that is not a valid object.
   bool              Parse(const string text)
     {
      Clear();
      m_text=text;
      m_len=StringLen(text);
      SkipWs();
      if(Peek()!='{')
         return(Fail("expected object"));
      m_pos++;
      SkipWs();
      if(Peek()=='}')
        {
         m_pos++;
        }
      else
        {
         while(true)
           {
            SkipWs();
            string key="";
            if(!ParseString(key))
               return(false);
            if(Find(key)>=0)
               return(Fail("duplicate key "+key));
            if(m_fieldCount>=PD_JSON_MAX_FIELDS)
               return(Fail("too many fields"));
            SkipWs();
            if(Peek()!=':')
               return(Fail("expected colon"));
            m_pos++;
            SkipWs();
            int type=PD_JSON_NONE;
            string value="";
            int itemStart=m_itemTotal;
            ushort c=Peek();
            if(c=='{')
              {
               if(!SkipValue(1))
                  return(false);
               type=PD_JSON_OBJECT;
              }
            else if(c=='[')
              {
               type=PD_JSON_ARRAY;
               m_pos++;
               SkipWs();
               if(Peek()==']')
                  m_pos++;
               else
                 {
                  while(true)
                    {
                     SkipWs();
                     ushort ic=Peek();
                     if(ic=='{' || ic=='[')
                       {
                        // Arrays of objects are not part of what the app sends; validate and drop them.
                        if(!SkipValue(2))
                           return(false);
                        type=PD_JSON_OBJECT;
                       }
                     else
                       {
                        int it=0;
                        string iv="";
                        if(!ParseScalar(it,iv))
                           return(false);
                        if(!AddItem(it,iv))
                           return(false);
                       }
                     SkipWs();
                     if(Peek()==',')
                       {
                        m_pos++;
                        continue;
                       }
                     if(Peek()==']')
                       {
                        m_pos++;
                        break;
                       }
                     return(Fail("expected comma"));
                    }
                 }
              }
            else if(!ParseScalar(type,value))
               return(false);
            if(m_fieldCount>=ArraySize(m_keys))
              {
               int grow=m_fieldCount+16;
               ArrayResize(m_keys,grow);
               ArrayResize(m_types,grow);
               ArrayResize(m_values,grow);
               ArrayResize(m_itemStart,grow);
               ArrayResize(m_itemCount,grow);
              }
            m_keys[m_fieldCount]=key;
            m_types[m_fieldCount]=type;
            m_values[m_fieldCount]=value;
            m_itemStart[m_fieldCount]=itemStart;
            m_itemCount[m_fieldCount]=m_itemTotal-itemStart;
            m_fieldCount++;
            SkipWs();
            if(Peek()==',')
              {
               m_pos++;
               continue;
              }
            if(Peek()=='}')
              {
               m_pos++;
               break;
              }
            return(Fail("expected comma or end of object"));
           }
        }
      SkipWs();
      if(m_pos!=m_len)
         return(Fail("trailing characters"));
      return(true);
     }

   int               FieldCount() { return(m_fieldCount); }
   string            KeyAt(const int i) { return(m_keys[i]); }
   bool              Has(const string key) { return(Find(key)>=0); }

   int               TypeOf(const string key)
     {
      int i=Find(key);
      return(i<0 ? PD_JSON_NONE : m_types[i]);
     }

   bool              GetString(const string key,string &out)
     {
      int i=Find(key);
      if(i<0 || m_types[i]!=PD_JSON_STRING)
         return(false);
      out=m_values[i];
      return(true);
     }

   bool              GetNumber(const string key,double &out)
     {
      int i=Find(key);
      if(i<0 || m_types[i]!=PD_JSON_NUMBER)
         return(false);
      out=StringToDouble(m_values[i]);
      return(MathIsValidNumber(out));
     }

   // Integer field: must be a JSON number without fraction or exponent.
   bool              GetLong(const string key,long &out)
     {
      int i=Find(key);
      if(i<0 || m_types[i]!=PD_JSON_NUMBER)
         return(false);
      string raw=m_values[i];
      if(StringFind(raw,".")>=0 || StringFind(raw,"e")>=0 || StringFind(raw,"E")>=0 || StringLen(raw)>18)
         return(false);
      out=StringToInteger(raw);
      return(true);
     }

   bool              GetBool(const string key,bool &out)
     {
      int i=Find(key);
      if(i<0 || m_types[i]!=PD_JSON_BOOL)
         return(false);
      out=(m_values[i]=="true");
      return(true);
     }

   bool              IsNull(const string key)
     {
      int i=Find(key);
      return(i>=0 && m_types[i]==PD_JSON_NULL);
     }

   // Absent or null: the protocol treats both as "not given" for optional fields.
   bool              IsMissing(const string key)
     {
      int i=Find(key);
      return(i<0 || m_types[i]==PD_JSON_NULL);
     }

   int               ArrayCount(const string key)
     {
      int i=Find(key);
      if(i<0 || m_types[i]!=PD_JSON_ARRAY)
         return(-1);
      return(m_itemCount[i]);
     }

   int               ArrayItemType(const string key,const int n)
     {
      int i=Find(key);
      if(i<0 || m_types[i]!=PD_JSON_ARRAY || n<0 || n>=m_itemCount[i])
         return(PD_JSON_NONE);
      return(m_itemTypes[m_itemStart[i]+n]);
     }

   string            ArrayItem(const string key,const int n)
     {
      int i=Find(key);
      if(i<0 || m_types[i]!=PD_JSON_ARRAY || n<0 || n>=m_itemCount[i])
         return("");
      return(m_items[m_itemStart[i]+n]);
     }
  };

//+------------------------------------------------------------------+
//| Writer                                                           |
//+------------------------------------------------------------------+
class PdJsonWriter
  {
private:
   string            m_s;
   bool              m_first[];
   int               m_depth;

   void              Sep()
     {
      if(m_depth>0)
        {
         if(!m_first[m_depth-1])
            StringAdd(m_s,",");
         m_first[m_depth-1]=false;
        }
     }

   void              Key(const string key)
     {
      Sep();
      StringAdd(m_s,PdJsonQuote(key));
      StringAdd(m_s,":");
     }

   void              Push(const string open)
     {
      StringAdd(m_s,open);
      if(m_depth>=ArraySize(m_first))
         ArrayResize(m_first,m_depth+8);
      m_first[m_depth]=true;
      m_depth++;
     }

   void              Pop(const string closing)
     {
      if(m_depth>0)
         m_depth--;
      StringAdd(m_s,closing);
     }

public:
   void              Reset()
     {
      m_s="";
      m_depth=0;
      ArrayResize(m_first,8);
     }

                     PdJsonWriter() { Reset(); }

   string            Text() { return(m_s); }

   void              BeginObject() { Sep(); Push("{"); }
   void              BeginObject(const string key) { Key(key); Push("{"); }
   void              EndObject() { Pop("}"); }
   void              BeginArray(const string key) { Key(key); Push("["); }
   void              EndArray() { Pop("]"); }

   void              Str(const string key,const string value) { Key(key); StringAdd(m_s,PdJsonQuote(value)); }
   void              Num(const string key,const double value,const int digits) { Key(key); StringAdd(m_s,PdJsonNumber(value,digits)); }
   void              Int(const string key,const long value) { Key(key); StringAdd(m_s,IntegerToString(value)); }
   void              U64(const string key,const ulong value) { Key(key); StringAdd(m_s,PdJsonQuote(PdU64(value))); }
   void              Bool(const string key,const bool value) { Key(key); StringAdd(m_s,value ? "true" : "false"); }
   void              Null(const string key) { Key(key); StringAdd(m_s,"null"); }
   // Inserts already-serialized JSON (used to replay a stored trade result).
   void              Raw(const string key,const string json) { Key(key); StringAdd(m_s,json); }

   void              StrItem(const string value) { Sep(); StringAdd(m_s,PdJsonQuote(value)); }
  };

#endif
