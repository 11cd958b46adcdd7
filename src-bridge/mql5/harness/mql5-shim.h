// mql5-shim.h - just enough of the MQL5 runtime, in C++17, to compile and exercise the EA's terminal-independent
// code (Json.mqh, Pipe.mqh) on Linux. It is a test double, not MQL5: semantics follow the MQL5 Reference where
// the EA relies on them (UTF-16 strings, CP_UTF8 conversions with a terminating zero, dynamic arrays), and every
// array access is bounds-checked because an out-of-range access stops an EA in MetaTrader ("array out of range").
// The pipe functions are a fake byte queue that also checks the EA never reads more than FileSize reported.
#pragma once
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <string>
#include <vector>
#include "sha256.h"

typedef unsigned char uchar;
typedef unsigned short ushort;
typedef unsigned int uint;
typedef unsigned long ulong; // 64-bit on LP64, as in MQL5
typedef long datetime;

#define CP_UTF8 65001
#define INVALID_HANDLE (-1)
#define WHOLE_ARRAY (-1)
#define FILE_READ 1
#define FILE_WRITE 2
#define FILE_BIN 4
#define FILE_SHARE_READ 128
#define FILE_SHARE_WRITE 256

struct MqlViolation : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ----- string: UTF-16 like MQL5 ------------------------------------------------------------------------------
std::u16string pd_utf8_to_u16(const std::string &in, bool *valid = nullptr);
std::string pd_u16_to_utf8(const std::u16string &in);

struct string {
  std::u16string s;
  string() {}
  string(const char *c) : s(pd_utf8_to_u16(c)) {}
  string(const std::u16string &x) : s(x) {}
};
inline bool operator==(const string &a, const string &b) { return a.s == b.s; }
inline bool operator!=(const string &a, const string &b) { return a.s != b.s; }
inline string operator+(const string &a, const string &b) { return string(a.s + b.s); }
inline string operator+(const char *a, const string &b) { return string(a) + b; }
inline string operator+(const string &a, const char *b) { return a + string(b); }
inline string &operator+=(string &a, const string &b) {
  a.s += b.s;
  return a;
}

// ----- dynamic arrays with bounds checks -----------------------------------------------------------------------
template <typename T> struct MqlArray {
  std::deque<T> v;
  T &operator[](long i) {
    if (i < 0 || i >= (long)v.size()) throw MqlViolation("array out of range");
    return v[(size_t)i];
  }
  const T &operator[](long i) const {
    if (i < 0 || i >= (long)v.size()) throw MqlViolation("array out of range");
    return v[(size_t)i];
  }
};
template <typename T> int ArrayResize(MqlArray<T> &a, int n, int reserve = 0) {
  (void)reserve;
  if (n < 0) return -1;
  a.v.resize((size_t)n);
  return n;
}
template <typename T> int ArraySize(const MqlArray<T> &a) { return (int)a.v.size(); }
template <typename T> bool ArrayFree(MqlArray<T> &a) {
  a.v.clear();
  return true;
}
template <typename T>
int ArrayCopy(MqlArray<T> &dst, const MqlArray<T> &src, int dst_start = 0, int src_start = 0, int count = WHOLE_ARRAY) {
  if (src_start < 0 || dst_start < 0) throw MqlViolation("ArrayCopy: negative start");
  int avail = (int)src.v.size() - src_start;
  if (count < 0 || count > avail) count = avail;
  if (count <= 0) return 0;
  if ((int)dst.v.size() < dst_start + count) dst.v.resize((size_t)(dst_start + count));
  std::vector<T> tmp(src.v.begin() + src_start, src.v.begin() + src_start + count);
  std::copy(tmp.begin(), tmp.end(), dst.v.begin() + dst_start);
  return count;
}

// ----- string functions --------------------------------------------------------------------------------------
inline int StringLen(const string &s) { return (int)s.s.size(); }
inline ushort StringGetCharacter(const string &s, int pos) {
  if (pos < 0 || pos >= (int)s.s.size()) throw MqlViolation("StringGetCharacter out of range");
  return (ushort)s.s[(size_t)pos];
}
inline string StringSubstr(const string &s, int start, int length = -1) {
  if (start < 0 || start > (int)s.s.size()) return string();
  if (length < 0 || start + length > (int)s.s.size()) length = (int)s.s.size() - start;
  return string(s.s.substr((size_t)start, (size_t)length));
}
inline int StringFind(const string &s, const string &what, int start = 0) {
  size_t p = s.s.find(what.s, (size_t)start);
  return p == std::u16string::npos ? -1 : (int)p;
}
inline bool StringAdd(string &s, const string &add) {
  s.s += add.s;
  return true;
}
inline string ShortToString(ushort c) { return string(std::u16string(1, (char16_t)c)); }
inline string IntegerToString(long v) { return string(std::to_string(v).c_str()); }
inline string DoubleToString(double v, int digits = 8) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return string(buf);
}
inline double StringToDouble(const string &s) { return std::strtod(pd_u16_to_utf8(s.s).c_str(), nullptr); }
inline long StringToInteger(const string &s) { return std::strtol(pd_u16_to_utf8(s.s).c_str(), nullptr, 10); }
// Only the formats the EA uses: %I64u with one ulong.
inline string StringFormat(const string &fmt, ulong v) {
  if (fmt != string("%I64u")) throw MqlViolation("StringFormat shim supports only %I64u");
  return string(std::to_string(v).c_str());
}
inline bool MathIsValidNumber(double v) { return std::isfinite(v); }
inline double MathMin(double a, double b) { return a < b ? a : b; }

// ----- code pages --------------------------------------------------------------------------------------------
inline std::u16string pd_utf8_to_u16(const std::string &in, bool *valid) {
  std::u16string out;
  bool ok = true;
  size_t i = 0;
  while (i < in.size()) {
    unsigned char b = (unsigned char)in[i];
    uint32_t cp = 0;
    int need = 0;
    if (b < 0x80) {
      cp = b;
    } else if (b >= 0xC2 && b <= 0xDF) {
      cp = b & 0x1F;
      need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      cp = b & 0x0F;
      need = 2;
    } else if (b >= 0xF0 && b <= 0xF4) {
      cp = b & 0x07;
      need = 3;
    } else {
      ok = false;
      out.push_back(0xFFFD);
      i++;
      continue;
    }
    if (need > 0 && i + need >= in.size()) {
      ok = false;
      out.push_back(0xFFFD);
      i++;
      continue;
    }
    bool bad = false;
    for (int k = 1; k <= need; k++) {
      unsigned char c = (unsigned char)in[i + k];
      if ((c & 0xC0) != 0x80) bad = true;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (bad) {
      ok = false;
      out.push_back(0xFFFD);
      i++;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back((char16_t)(0xD800 + (cp >> 10)));
      out.push_back((char16_t)(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back((char16_t)cp);
    }
    i += need + 1;
  }
  if (valid != nullptr) *valid = ok;
  return out;
}

inline std::string pd_u16_to_utf8(const std::u16string &in) {
  std::string out;
  for (size_t i = 0; i < in.size(); i++) {
    uint32_t cp = in[i];
    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < in.size() && in[i + 1] >= 0xDC00 && in[i + 1] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (in[i + 1] - 0xDC00);
      i++;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = 0xFFFD; // a lone surrogate has no UTF-8 form
    }
    if (cp < 0x80) {
      out.push_back((char)cp);
    } else if (cp < 0x800) {
      out.push_back((char)(0xC0 | (cp >> 6)));
      out.push_back((char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back((char)(0xE0 | (cp >> 12)));
      out.push_back((char)(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back((char)(0x80 | (cp & 0x3F)));
    } else {
      out.push_back((char)(0xF0 | (cp >> 18)));
      out.push_back((char)(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back((char)(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back((char)(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

// MQL5: copies the converted string and a terminating zero (count -1), growing a dynamic array; returns the count.
inline int StringToCharArray(const string &s, MqlArray<uchar> &a, int start = 0, int count = -1, uint cp = 0) {
  if (cp != CP_UTF8 || count != -1 || start != 0) throw MqlViolation("StringToCharArray shim: CP_UTF8, whole string");
  std::string bytes = pd_u16_to_utf8(s.s);
  a.v.assign(bytes.begin(), bytes.end());
  a.v.push_back(0);
  return (int)a.v.size();
}
inline string CharArrayToString(const MqlArray<uchar> &a, int start = 0, int count = -1, uint cp = 0) {
  if (cp != CP_UTF8) throw MqlViolation("CharArrayToString shim: CP_UTF8 only");
  if (start < 0 || count < 0 || start + count > (int)a.v.size()) throw MqlViolation("CharArrayToString out of range");
  std::string bytes(a.v.begin() + start, a.v.begin() + start + count);
  // An MQL5 string ends at the first 0: the conversion stops there, whatever `count` says.
  size_t nul = bytes.find('\0');
  if (nul != std::string::npos) bytes.resize(nul);
  return string(pd_utf8_to_u16(bytes));
}

// ----- CryptEncode: SHA-256 only (the EA uses nothing else) ------------------------------------------------------
enum ENUM_CRYPT_METHOD { CRYPT_BASE64 = 0, CRYPT_AES128 = 1, CRYPT_AES256 = 2, CRYPT_DES = 3, CRYPT_HASH_SHA1 = 4,
                         CRYPT_HASH_SHA256 = 5, CRYPT_HASH_MD5 = 6, CRYPT_ARCH_ZIP = 7 };
// The key is not used for hashing (MQL5 book, "CryptEncode": "A key is not needed for hashing").
inline int CryptEncode(ENUM_CRYPT_METHOD method, const MqlArray<uchar> &data, const MqlArray<uchar> &key,
                       MqlArray<uchar> &result) {
  (void)key;
  if (method != CRYPT_HASH_SHA256) throw MqlViolation("CryptEncode shim: CRYPT_HASH_SHA256 only");
  std::vector<unsigned char> bytes(data.v.begin(), data.v.end());
  std::vector<unsigned char> d = pd_sha256::digest(bytes);
  result.v.assign(d.begin(), d.end());
  return (int)result.v.size();
}

// ----- runtime ------------------------------------------------------------------------------------------------
extern ulong g_fake_ms;
extern int g_last_error;
inline ulong GetTickCount64() { return g_fake_ms; }
inline int GetLastError() { return g_last_error; }
inline void ResetLastError() { g_last_error = 0; }
// Print and PrintFormat record each journal line in g_journal (the scenario driver reports them), so tests can
// check what the EA logs and that nothing it logs is unbounded. PrintFormat substitutes each % conversion with the
// next argument's text; that is all the EA needs of it.
extern std::vector<std::string> g_journal;
inline std::string pd_text(const string &v) { return pd_u16_to_utf8(v.s); }
inline std::string pd_text(const char *v) { return v; }
inline std::string pd_text(bool v) { return v ? "true" : "false"; }
inline std::string pd_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
template <typename T> std::string pd_text(T v) { return std::to_string(v); }
inline void pd_format(std::string &out, const char *fmt) { out += fmt; }
template <typename T, typename... A> void pd_format(std::string &out, const char *fmt, T first, A... rest) {
  const char *p = fmt;
  while (*p != 0 && *p != '%') out += *p++;
  if (*p == 0) return;
  if (p[1] == '%') {
    out += '%';
    pd_format(out, p + 2, first, rest...);
    return;
  }
  p++;
  while (*p != 0 && std::strchr("-+ #0123456789.I", *p) != nullptr) p++;
  if (*p != 0) p++;
  out += pd_text(first);
  pd_format(out, p, rest...);
}
template <typename... A> void PrintFormat(const char *fmt, A... args) {
  std::string line;
  pd_format(line, fmt, args...);
  g_journal.push_back(line);
}
template <typename... A> void Print(A... args) {
  std::string line;
  ((line += pd_text(args)), ...);
  g_journal.push_back(line);
}

// ----- a real Unix socket standing in for the named pipe (PD_REAL_SOCKET) -----------------------------------
// FileOpen on \\.\pipe\<name> connects to the socket path in $PIPDESK_SOCKET; FileSize is the number of bytes
// waiting (FIONREAD), which is what the EA assumes FileSize reports on a pipe; a peer that closed shows as error
// 5004 from FileSize or a failed write, as a broken pipe is expected to in MetaTrader.
#ifdef PD_REAL_SOCKET
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int pd_open_other_file(const string &name, int flags);
extern int g_socket_fd;

inline int FileOpen(const string &name, int flags) {
  if (name.s.rfind(u"\\\\.\\pipe\\", 0) != 0) return pd_open_other_file(name, flags);
  // A pipe name that is an absolute path (what pipe.txt holds off Windows) is that socket; otherwise
  // $PIPDESK_SOCKET stands in for the named pipe.
  std::string pipeName = pd_u16_to_utf8(name.s.substr(9));
  const char *path = pipeName.rfind('/', 0) == 0 ? pipeName.c_str() : std::getenv("PIPDESK_SOCKET");
  if (path == nullptr) return INVALID_HANDLE;
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
  if (::connect(fd, (sockaddr *)&addr, sizeof addr) != 0) {
    ::close(fd);
    g_last_error = 5004;
    return INVALID_HANDLE;
  }
  g_socket_fd = fd;
  return 1;
}
void pd_close_other_file(int h);
inline void FileClose(int h) {
  if (h == 1 && g_socket_fd >= 0) {
    ::close(g_socket_fd);
    g_socket_fd = -1;
  }
  if (h != 1) pd_close_other_file(h);
}
inline ulong FileSize(int h) {
  if (h != 1 || g_socket_fd < 0) throw MqlViolation("FileSize on a closed handle");
  int n = 0;
  ::ioctl(g_socket_fd, FIONREAD, &n);
  if (n == 0) {
    pollfd p{g_socket_fd, POLLIN, 0};
    char c;
    if (::poll(&p, 1, 0) > 0 && ::recv(g_socket_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0) g_last_error = 5004;
  }
  return (ulong)n;
}
inline uint FileReadArray(int h, MqlArray<uchar> &a, int start, int count) {
  if (h != 1 || g_socket_fd < 0) throw MqlViolation("FileReadArray on a closed handle");
  int n = 0;
  ::ioctl(g_socket_fd, FIONREAD, &n);
  if (count > n) throw MqlViolation("FileReadArray asked for more than FileSize: would block");
  std::vector<uchar> buf((size_t)count);
  ssize_t got = ::read(g_socket_fd, buf.data(), (size_t)count);
  if (got <= 0) return 0;
  if ((int)a.v.size() < start + (int)got) a.v.resize((size_t)(start + got));
  for (ssize_t i = 0; i < got; i++) a.v[(size_t)(start + i)] = buf[(size_t)i];
  return (uint)got;
}
inline uint FileWriteArray(int h, const MqlArray<uchar> &a, int start, int count) {
  if (h != 1 || g_socket_fd < 0) throw MqlViolation("FileWriteArray on a closed handle");
  std::vector<uchar> buf(a.v.begin() + start, a.v.begin() + start + count);
  size_t done = 0;
  while (done < buf.size()) {
    ssize_t w = ::send(g_socket_fd, buf.data() + done, buf.size() - done, MSG_NOSIGNAL);
    if (w <= 0) {
      g_last_error = 5004;
      return (uint)done;
    }
    done += (size_t)w;
  }
  return (uint)done;
}
// MetaQuotes' own pipe client (CFilePipe) neither flushes nor seeks a pipe, and neither does the EA: a call on the
// pipe handle is a test failure here (docs/mql5-functions.md, "Pipe I/O").
inline void FileFlush(int h) {
  if (h == 1) throw MqlViolation("FileFlush on the pipe");
}
inline bool FileSeek(int h, long offset, int origin) {
  (void)offset;
  (void)origin;
  if (h == 1) throw MqlViolation("FileSeek on the pipe");
  return false;
}
#else
// ----- the fake pipe ------------------------------------------------------------------------------------------
struct FakePipe {
  bool listening = true;
  bool open = false;
  bool broken = false;      // the app went away: reads and writes fail
  std::deque<uchar> toEa;   // bytes the "app" wrote, waiting for the EA
  std::string fromEa;       // bytes the EA wrote and the driver has not printed yet
  std::string history;      // every byte the EA ever wrote
  std::string name;         // the pipe name the EA opened (after \\.\pipe\)
  int opens = 0;
};
extern FakePipe g_pipe_fake;

// Files other than the pipe (token.txt, pipe.txt) are served by the scenario driver.
int pd_open_other_file(const string &name, int flags);

inline int FileOpen(const string &name, int flags) {
  if (name.s.rfind(u"\\\\.\\pipe\\", 0) != 0) return pd_open_other_file(name, flags);
  if (!g_pipe_fake.listening) {
    g_last_error = 5004; // ERR_CANNOT_OPEN_FILE
    return INVALID_HANDLE;
  }
  g_pipe_fake.open = true;
  g_pipe_fake.opens++;
  g_pipe_fake.name = pd_u16_to_utf8(name.s.substr(9));
  return 1;
}
void pd_close_other_file(int h);
inline void FileClose(int h) {
  if (h == 1) {
    g_pipe_fake.open = false;
    g_pipe_fake.broken = false;
  } else {
    pd_close_other_file(h);
  }
}
inline ulong FileSize(int h) {
  if (h != 1 || !g_pipe_fake.open) throw MqlViolation("FileSize on a closed handle");
  if (g_pipe_fake.broken) {
    g_last_error = 5004;
    return 0;
  }
  return (ulong)g_pipe_fake.toEa.size();
}
inline uint FileReadArray(int h, MqlArray<uchar> &a, int start, int count) {
  if (h != 1 || !g_pipe_fake.open) throw MqlViolation("FileReadArray on a closed handle");
  if (count > (int)g_pipe_fake.toEa.size()) throw MqlViolation("FileReadArray asked for more than FileSize: would block");
  if ((int)a.v.size() < start + count) a.v.resize((size_t)(start + count));
  for (int i = 0; i < count; i++) {
    a.v[(size_t)(start + i)] = g_pipe_fake.toEa.front();
    g_pipe_fake.toEa.pop_front();
  }
  return (uint)count;
}
inline uint FileWriteArray(int h, const MqlArray<uchar> &a, int start, int count) {
  if (h != 1 || !g_pipe_fake.open) throw MqlViolation("FileWriteArray on a closed handle");
  if (start < 0 || start + count > (int)a.v.size()) throw MqlViolation("FileWriteArray out of range");
  if (g_pipe_fake.broken) {
    g_last_error = 5004;
    return 0;
  }
  for (int i = 0; i < count; i++) g_pipe_fake.fromEa.push_back((char)a.v[(size_t)(start + i)]);
  g_pipe_fake.history.append(g_pipe_fake.fromEa.end() - count, g_pipe_fake.fromEa.end());
  return (uint)count;
}
// MetaQuotes' own pipe client (CFilePipe) neither flushes nor seeks a pipe, and neither does the EA: a call on the
// pipe handle is a test failure here (docs/mql5-functions.md, "Pipe I/O").
inline void FileFlush(int h) {
  if (h == 1) throw MqlViolation("FileFlush on the pipe");
}
inline bool FileSeek(int h, long offset, int origin) {
  (void)offset;
  (void)origin;
  if (h == 1) throw MqlViolation("FileSeek on the pipe");
  return false;
}
#endif
