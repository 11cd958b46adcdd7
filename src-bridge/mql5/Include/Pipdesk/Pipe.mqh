//+------------------------------------------------------------------+
//| Pipe.mqh - Pipdesk bridge: the named-pipe client.                |
//| FileOpen on \\.\pipe\<name> (no DLL imports), reads polled from  |
//| OnTimer without blocking (FileSize on a pipe handle reports the  |
//| bytes waiting; read exactly that many), NDJSON framing on byte   |
//| 0x0A before UTF-8 decoding, and reconnect with backoff.          |
//+------------------------------------------------------------------+
#ifndef PIPDESK_PIPE_MQH
#define PIPDESK_PIPE_MQH

// docs/bridge-protocol.md section 1: reconnect after 1 s, doubling, at most 30 s.
#define PD_PIPE_BACKOFF_MIN_MS 1000
#define PD_PIPE_BACKOFF_MAX_MS 30000
// Most bytes taken from the pipe in one OnTimer call, so a flood cannot stall the terminal's event queue.
#define PD_PIPE_READ_CHUNK 262144

// Strict UTF-8 check (no overlongs, no surrogates, nothing above U+10FFFF) that also refuses byte 0x00. The
// conversion to an MQL5 string would silently replace bad bytes, and CharArrayToString ends the string at the
// first 0 (an MQL5 string cannot hold one), so a frame with a NUL would be read cut short rather than refused:
// both are caught here and answered with BAD_JSON.
bool PdValidUtf8(const uchar &buf[],const int start,const int len)
  {
   int i=start;
   int end=start+len;
   while(i<end)
     {
      uchar b=buf[i];
      if(b==0)
         return(false);
      if(b<0x80)
        {
         i++;
         continue;
        }
      int need=0;
      uint cp=0;
      uint minCp=0;
      if(b>=0xC2 && b<=0xDF)
        {
         need=1;
         cp=b&0x1F;
         minCp=0x80;
        }
      else if(b>=0xE0 && b<=0xEF)
        {
         need=2;
         cp=b&0x0F;
         minCp=0x800;
        }
      else if(b>=0xF0 && b<=0xF4)
        {
         need=3;
         cp=b&0x07;
         minCp=0x10000;
        }
      else
         return(false);
      if(i+need>end-1)
         return(false);
      for(int k=1; k<=need; k++)
        {
         uchar c=buf[i+k];
         if((c&0xC0)!=0x80)
            return(false);
         cp=(cp<<6)|(uint)(c&0x3F);
        }
      if(cp<minCp || cp>0x10FFFF || (cp>=0xD800 && cp<=0xDFFF))
         return(false);
      i+=need+1;
     }
   return(true);
  }

class PdPipe
  {
private:
   string            m_name;
   string            m_path;
   int               m_handle;
   uchar             m_rx[];
   int               m_rxLen;
   int               m_head;         // first byte of the next unread line
   int               m_scanFrom;     // bytes before this index hold no newline
   int               m_maxFrame;
   ulong             m_nextAttemptMs;
   uint              m_backoffMs;
   ulong             m_lastRxMs;
   ulong             m_lastTxMs;
   int               m_lastOpenError;
   string            m_closeReason;
   bool              m_frameTooLarge;

public:
                     PdPipe()
     {
      m_name="";
      m_path="";
      m_handle=INVALID_HANDLE;
      m_rxLen=0;
      m_head=0;
      m_scanFrom=0;
      m_maxFrame=1048576;
      m_nextAttemptMs=0;
      m_backoffMs=PD_PIPE_BACKOFF_MIN_MS;
      m_lastRxMs=0;
      m_lastTxMs=0;
      m_lastOpenError=0;
      m_closeReason="";
      m_frameTooLarge=false;
     }

   // The bare name; the \\.\pipe\ prefix is added here (local machine only). Changed only while closed.
   void              SetName(const string pipeName)
     {
      m_name=pipeName;
      m_path="\\\\.\\pipe\\"+pipeName;
     }

   void              Init(const string pipeName,const int maxFrameBytes)
     {
      SetName(pipeName);
      m_maxFrame=maxFrameBytes;
     }

   string            Name() { return(m_name); }

   void              SetMaxFrame(const int bytes) { if(bytes>0) m_maxFrame=bytes; }
   string            Path() { return(m_path); }
   bool              IsOpen() { return(m_handle!=INVALID_HANDLE); }
   ulong             LastRxMs() { return(m_lastRxMs); }
   ulong             LastTxMs() { return(m_lastTxMs); }
   string            CloseReason() { return(m_closeReason); }
   bool              FrameTooLarge() { return(m_frameTooLarge); }

   void              ScheduleRetry()
     {
      m_nextAttemptMs=GetTickCount64()+m_backoffMs;
      m_backoffMs=(uint)MathMin((double)m_backoffMs*2.0,(double)PD_PIPE_BACKOFF_MAX_MS);
     }

   bool              AttemptDue() { return(GetTickCount64()>=m_nextAttemptMs); }

   // Tries to open the pipe when the backoff allows it. The app (the server) must be listening.
   bool              TryOpen()
     {
      if(m_handle!=INVALID_HANDLE)
         return(true);
      ulong now=GetTickCount64();
      if(now<m_nextAttemptMs)
         return(false);
      ResetLastError();
      int h=FileOpen(m_path,FILE_READ|FILE_WRITE|FILE_BIN);
      if(h==INVALID_HANDLE)
        {
         int err=GetLastError();
         // Log only when the error changes, so an app that is not running does not flood the journal.
         if(err!=m_lastOpenError)
            PrintFormat("Pipdesk: cannot open %s yet (error %d); retrying with backoff",m_path,err);
         m_lastOpenError=err;
         ScheduleRetry();
         return(false);
        }
      m_handle=h;
      m_lastOpenError=0;
      m_rxLen=0;
      m_head=0;
      m_scanFrom=0;
      m_frameTooLarge=false;
      m_closeReason="";
      m_lastRxMs=now;
      m_lastTxMs=now;
      PrintFormat("Pipdesk: connected to %s",m_path);
      return(true);
     }

   // A successful handshake resets the backoff; a refusal or a drop keeps growing it.
   void              ResetBackoff() { m_backoffMs=PD_PIPE_BACKOFF_MIN_MS; }

   // Makes the next attempt wait at least `ms` (used after a refusal).
   void              DelayNextAttempt(const uint ms)
     {
      ulong at=GetTickCount64()+ms;
      if(at>m_nextAttemptMs)
         m_nextAttemptMs=at;
     }

   void              Close(const string reason)
     {
      if(m_handle!=INVALID_HANDLE)
        {
         FileClose(m_handle);
         m_handle=INVALID_HANDLE;
         PrintFormat("Pipdesk: link closed (%s)",reason);
        }
      m_closeReason=reason;
      m_rxLen=0;
      m_head=0;
      m_scanFrom=0;
      ArrayFree(m_rx);
      ScheduleRetry();
     }

   // Writes one frame: the UTF-8 bytes of `json` and a newline. Closes the link on a short or failed write.
   bool              SendLine(const string json)
     {
      if(m_handle==INVALID_HANDLE)
         return(false);
      uchar bytes[];
      // With count -1 the terminating zero is copied too; it becomes the newline below.
      int n=StringToCharArray(json,bytes,0,-1,CP_UTF8);
      if(n<1)
         return(false);
      if(n-1>m_maxFrame)
        {
         PrintFormat("Pipdesk: refusing to send a %d-byte frame (limit %d)",n-1,m_maxFrame);
         return(false);
        }
      bytes[n-1]=10;
      ResetLastError();
      // No FileFlush and, in Pump, no FileSeek: MetaQuotes' own pipe client (CFilePipe, Include\Files\FilePipe.mqh)
      // writes and reads a pipe without either. Both belong to files with a position and a buffer; on a pipe a seek
      // has no meaning and could drop bytes the terminal read ahead (docs/mql5-functions.md, "Pipe I/O").
      uint written=FileWriteArray(m_handle,bytes,0,n);
      int err=GetLastError();
      if((int)written!=n || err!=0)
        {
         Close("write failed, error "+IntegerToString(err));
         return(false);
        }
      m_lastTxMs=GetTickCount64();
      return(true);
     }

   // Moves whatever the pipe holds into the receive buffer without blocking. False when the link broke.
   bool              Pump()
     {
      if(m_handle==INVALID_HANDLE)
         return(false);
      ResetLastError();
      ulong avail=FileSize(m_handle);
      int err=GetLastError();
      if(err!=0)
        {
         Close("read failed, error "+IntegerToString(err));
         return(false);
        }
      if(avail==0)
         return(true);
      int take=(int)MathMin((double)avail,(double)PD_PIPE_READ_CHUNK);
      if(ArraySize(m_rx)<m_rxLen+take)
         ArrayResize(m_rx,m_rxLen+take,4096);
      // Never ask for more than FileSize reported: a larger read would block the EA's only thread.
      uint got=FileReadArray(m_handle,m_rx,m_rxLen,take);
      if(got==0)
        {
         Close("read returned nothing, error "+IntegerToString(GetLastError()));
         return(false);
        }
      m_rxLen+=(int)got;
      m_lastRxMs=GetTickCount64();
      return(true);
     }

   // Moves the unfinished tail to the front once all complete lines were taken (one copy per pump).
   void              Compact()
     {
      if(m_head==0)
         return;
      int rest=m_rxLen-m_head;
      if(rest>0)
        {
         uchar tail[];
         ArrayCopy(tail,m_rx,0,m_head,rest);
         ArrayCopy(m_rx,tail,0,0,rest);
        }
      m_rxLen=(rest>0) ? rest : 0;
      m_head=0;
     }

   // Takes the next complete line out of the buffer. False when no complete line is waiting.
   // `validUtf8` is false for a line whose bytes are not UTF-8 (the caller answers BAD_JSON).
   // A line longer than the frame limit sets FrameTooLarge(); the caller reports it and closes the link.
   bool              NextLine(string &line,bool &validUtf8)
     {
      int from=(m_scanFrom>m_head) ? m_scanFrom : m_head;
      for(int i=from; i<m_rxLen; i++)
        {
         if(m_rx[i]!=10)
            continue;
         int end=i;
         if(end>m_head && m_rx[end-1]==13)
            end--;
         int len=end-m_head;
         if(len>m_maxFrame)
           {
            m_frameTooLarge=true;
            return(false);
           }
         validUtf8=PdValidUtf8(m_rx,m_head,len);
         line=(len>0 && validUtf8) ? CharArrayToString(m_rx,m_head,len,CP_UTF8) : "";
         m_head=i+1;
         m_scanFrom=m_head;
         return(true);
        }
      Compact();
      m_scanFrom=m_rxLen;
      // A frame that never ends must not grow the buffer past the limit.
      if(m_rxLen>m_maxFrame+1)
         m_frameTooLarge=true;
      return(false);
     }

  };

#endif
