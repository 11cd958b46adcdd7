//+------------------------------------------------------------------+
//| Auth.mqh - Pipdesk bridge: the protocol v2 handshake's           |
//| cryptography. SHA-256 from CryptEncode(CRYPT_HASH_SHA256), HMAC- |
//| SHA256 built on it (RFC 2104), the handshake proofs, lowercase   |
//| hex and a constant-time comparison. No terminal state: the       |
//| harness compiles it alone and checks it against RFC 4231 and     |
//| node:crypto.                                                     |
//| docs/bridge-protocol.md "Handshake"; docs/mql5-functions.md.     |
//+------------------------------------------------------------------+
#ifndef PIPDESK_AUTH_MQH
#define PIPDESK_AUTH_MQH

#define PD_SHA256_BYTES 32
#define PD_SHA256_BLOCK 64
// The domain-separation label every proof starts with.
#define PD_PROOF_LABEL "pipdesk/2"

// SHA-256 of `data` into `digest` (32 bytes). CryptEncode ignores the key for hash methods; an empty one is passed.
bool PdSha256(const uchar &data[],uchar &digest[])
  {
   uchar unusedKey[];
   ResetLastError();
   int n=CryptEncode(CRYPT_HASH_SHA256,data,unusedKey,digest);
   return(n==PD_SHA256_BYTES && ArraySize(digest)==PD_SHA256_BYTES);
  }

// The UTF-8 bytes of `text` without the terminating zero StringToCharArray adds (a hash over it would differ).
int PdUtf8Bytes(const string text,uchar &out[])
  {
   int n=StringToCharArray(text,out,0,-1,CP_UTF8);
   if(n<1)
     {
      ArrayResize(out,0);
      return(0);
     }
   ArrayResize(out,n-1);
   return(n-1);
  }

// HMAC-SHA256 (RFC 2104) of `message` under `key`. Keys longer than one block would have to be hashed first; the
// protocol's key is exactly 64 bytes, so longer keys are refused instead of supported untested.
bool PdHmacSha256(const uchar &key[],const uchar &message[],uchar &mac[])
  {
   int klen=ArraySize(key);
   int mlen=ArraySize(message);
   if(klen>PD_SHA256_BLOCK)
      return(false);
   uchar inner[];
   uchar outer[];
   ArrayResize(inner,PD_SHA256_BLOCK+mlen);
   ArrayResize(outer,PD_SHA256_BLOCK+PD_SHA256_BYTES);
   for(int i=0; i<PD_SHA256_BLOCK; i++)
     {
      uchar k=(i<klen) ? key[i] : (uchar)0;
      inner[i]=(uchar)(k^0x36);
      outer[i]=(uchar)(k^0x5c);
     }
   for(int i=0; i<mlen; i++)
      inner[PD_SHA256_BLOCK+i]=message[i];
   uchar innerHash[];
   if(!PdSha256(inner,innerHash))
      return(false);
   for(int i=0; i<PD_SHA256_BYTES; i++)
      outer[PD_SHA256_BLOCK+i]=innerHash[i];
   return(PdSha256(outer,mac));
  }

// Lowercase hex of `count` bytes of `bytes`.
string PdHex(const uchar &bytes[],const int count)
  {
   string digits="0123456789abcdef";
   string out="";
   for(int i=0; i<count; i++)
     {
      int b=bytes[i];
      out+=StringSubstr(digits,b>>4,1)+StringSubstr(digits,b&15,1);
     }
   return(out);
  }

// True for exactly 64 lowercase hex characters (a nonce, a proof, a token).
bool PdIsHex64(const string text)
  {
   if(StringLen(text)!=64)
      return(false);
   for(int i=0; i<64; i++)
     {
      ushort c=StringGetCharacter(text,i);
      if(!((c>='0' && c<='9') || (c>='a' && c<='f')))
         return(false);
     }
   return(true);
  }

// Compares two 64-character hex strings in time independent of where they differ: every character is visited and
// the differences are OR-ed, so the duration does not tell an impostor how much of a guessed proof was right.
bool PdEqualConstantTime(const string a,const string b)
  {
   if(StringLen(a)!=64 || StringLen(b)!=64)
      return(false);
   int diff=0;
   for(int i=0; i<64; i++)
      diff|=(int)(StringGetCharacter(a,i)^StringGetCharacter(b,i));
   return(diff==0);
  }

// hex(HMAC-SHA256(token, "pipdesk/2\n" + role + "\n" + endpoint + "\n" + eaNonce + "\n" + appNonce)); the key is
// the token's 64 ASCII characters. Empty on failure (never equal to a presented proof).
string PdHandshakeProof(const string token,const string role,const string endpoint,const string eaNonce,
                        const string appNonce)
  {
   uchar key[];
   uchar message[];
   uchar mac[];
   PdUtf8Bytes(token,key);
   string nl=ShortToString(10);
   PdUtf8Bytes(PD_PROOF_LABEL+nl+role+nl+endpoint+nl+eaNonce+nl+appNonce,message);
   if(ArraySize(key)!=PD_SHA256_BLOCK || !PdHmacSha256(key,message,mac))
      return("");
   return(PdHex(mac,PD_SHA256_BYTES));
  }

#endif
