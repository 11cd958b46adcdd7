// driver.cpp - runs the EA's Json.mqh and Pipe.mqh (translated to C++) on inputs from stdin, printing one JSON
// line per result. Used by mql5-harness.test.ts. Modes:
//   json    each input line -> PdJsonReader.Parse -> the fields it found (written with PdJsonWriter)
//   quote   each input line -> PdJsonQuote(line)
//   u64     each input line -> PdParseU64 and PdU64 of the result
//   number  each input line "value digits" -> PdJsonNumber(value, digits)
//   frames  stdin bytes fed through the fake pipe in chunks (argv: maxFrame chunkSizes) -> NextLine results
//   send    each input line -> PdPipe.SendLine; prints the bytes the EA wrote
//   sha256  each input line "hex" -> the shim's CryptEncode(CRYPT_HASH_SHA256) of those bytes, as hex
//   hmac    each input line "keyhex msghex" -> PdHmacSha256, as hex ("error" when it refuses)
//   proof   each input line "token role endpoint eaNonce appNonce" -> PdHandshakeProof
//   equal   each input line "a b" -> PdEqualConstantTime(a, b) and PdIsHex64(a)
#include "mql5-shim.h"

#include <iostream>
#include <iterator>
#include <sstream>

ulong g_fake_ms = 1000;
int g_last_error = 0;
std::vector<std::string> g_journal;
FakePipe g_pipe_fake;

#include "Json.gen.h"
#include "Pipe.gen.h"
#include "Auth.gen.h"

static MqlArray<uchar> fromHex(const std::string &hex) {
  MqlArray<uchar> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.v.push_back((uchar)std::stoul(hex.substr(i, 2), nullptr, 16));
  return out;
}

static std::vector<std::string> words(const std::string &line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string w;
  while (ss >> w) out.push_back(w);
  // an empty field ("" message) is written as "-"
  for (auto &x : out)
    if (x == "-") x.clear();
  return out;
}

static std::string readAll() {
  std::istreambuf_iterator<char> begin(std::cin), end;
  return std::string(begin, end);
}

static std::vector<std::string> splitLines(const std::string &all) {
  std::vector<std::string> lines;
  std::string cur;
  for (char c : all) {
    if (c == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) lines.push_back(cur);
  return lines;
}

static void emit(const string &s) {
  std::string u = pd_u16_to_utf8(s.s);
  std::fwrite(u.data(), 1, u.size(), stdout);
  std::fputc('\n', stdout);
}

static string fromUtf8(const std::string &s) { return string(pd_utf8_to_u16(s)); }

static void describeFields(PdJsonReader &rq, PdJsonWriter &w) {
  w.BeginArray("fields");
  for (int i = 0; i < rq.FieldCount(); i++) {
    string key = rq.KeyAt(i);
    int t = rq.TypeOf(key);
    w.BeginObject();
    w.Str("k", key);
    w.Int("t", t);
    if (t == PD_JSON_STRING) {
      string v;
      w.Bool("got", rq.GetString(key, v));
      w.Str("v", v);
    } else if (t == PD_JSON_NUMBER) {
      double d = 0;
      bool got = rq.GetNumber(key, d);
      w.Bool("got", got);
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      if (got) w.Raw("n", fromUtf8(buf));
      long l = 0;
      if (rq.GetLong(key, l)) w.Str("l", IntegerToString(l));
    } else if (t == PD_JSON_BOOL) {
      bool b = false;
      w.Bool("got", rq.GetBool(key, b));
      w.Bool("v", b);
    } else if (t == PD_JSON_NULL) {
      w.Bool("got", rq.IsNull(key) && rq.IsMissing(key));
    } else if (t == PD_JSON_ARRAY) {
      w.BeginArray("items");
      for (int n = 0; n < rq.ArrayCount(key); n++) {
        w.BeginObject();
        w.Int("t", rq.ArrayItemType(key, n));
        w.Str("v", rq.ArrayItem(key, n));
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
}

static int modeJson() {
  for (const std::string &line : splitLines(readAll())) {
    PdJsonWriter w;
    w.BeginObject();
    try {
      PdJsonReader rq;
      bool ok = rq.Parse(fromUtf8(line));
      w.Bool("ok", ok);
      if (!ok)
        w.Str("error", rq.Error());
      else
        describeFields(rq, w);
    } catch (const MqlViolation &e) {
      w.Str("violation", fromUtf8(e.what()));
    }
    w.EndObject();
    emit(w.Text());
  }
  return 0;
}

static int modeQuote() {
  for (const std::string &line : splitLines(readAll())) emit(PdJsonQuote(fromUtf8(line)));
  return 0;
}

static int modeU64() {
  for (const std::string &line : splitLines(readAll())) {
    ulong v = 0;
    bool ok = PdParseU64(fromUtf8(line), v);
    PdJsonWriter w;
    w.BeginObject();
    w.Bool("ok", ok);
    if (ok) w.U64("v", v);
    w.EndObject();
    emit(w.Text());
  }
  return 0;
}

static int modeNumber() {
  for (const std::string &line : splitLines(readAll())) {
    std::istringstream in(line);
    std::string value;
    int digits = 0;
    in >> value >> digits;
    double d = std::strtod(value.c_str(), nullptr);
    emit(PdJsonNumber(d, digits));
  }
  return 0;
}

static int modeFrames(int maxFrame, const std::vector<int> &chunks) {
  std::string all = readAll();
  PdPipe pipe;
  pipe.Init(fromUtf8("pipdesk"), maxFrame);
  if (!pipe.TryOpen()) {
    std::puts("{\"error\":\"open failed\"}");
    return 1;
  }
  size_t pos = 0;
  size_t ci = 0;
  try {
    while (pos < all.size()) {
      size_t n = chunks.empty() ? all.size() : (size_t)chunks[ci++ % chunks.size()];
      if (n == 0) n = 1;
      n = std::min(n, all.size() - pos);
      for (size_t i = 0; i < n; i++) g_pipe_fake.toEa.push_back((uchar)all[pos + i]);
      pos += n;
      while (!g_pipe_fake.toEa.empty()) {
        g_fake_ms += 10;
        if (!pipe.Pump()) {
          std::puts("{\"closed\":true}");
          return 0;
        }
        string line;
        bool valid = true;
        while (pipe.NextLine(line, valid)) {
          PdJsonWriter w;
          w.BeginObject();
          w.Str("line", line);
          w.Bool("utf8", valid);
          w.EndObject();
          emit(w.Text());
        }
        if (pipe.FrameTooLarge()) {
          std::puts("{\"tooLarge\":true}");
          return 0;
        }
      }
    }
  } catch (const MqlViolation &e) {
    std::printf("{\"violation\":\"%s\"}\n", e.what());
  }
  return 0;
}

static int modeCrypto(const std::string &mode) {
  for (const std::string &line : splitLines(readAll())) {
    std::vector<std::string> w = words(line);
    if (mode == "sha256") {
      MqlArray<uchar> none, digest;
      CryptEncode(CRYPT_HASH_SHA256, fromHex(w.empty() ? "" : w[0]), none, digest);
      emit(PdHex(digest, ArraySize(digest)));
    } else if (mode == "hmac") {
      MqlArray<uchar> mac;
      bool ok = PdHmacSha256(fromHex(w.at(0)), fromHex(w.size() > 1 ? w[1] : ""), mac);
      emit(ok ? PdHex(mac, ArraySize(mac)) : string("error"));
    } else if (mode == "proof") {
      emit(PdHandshakeProof(fromUtf8(w.at(0)), fromUtf8(w.at(1)), fromUtf8(w.at(2)), fromUtf8(w.at(3)),
                            fromUtf8(w.at(4))));
    } else {
      bool eq = PdEqualConstantTime(fromUtf8(w.at(0)), fromUtf8(w.at(1)));
      emit(string(eq ? "equal" : "different") + (PdIsHex64(fromUtf8(w.at(0))) ? " hex64" : " other"));
    }
  }
  return 0;
}

static int modeSend() {
  PdPipe pipe;
  pipe.Init(fromUtf8("pipdesk"), 1048576);
  pipe.TryOpen();
  for (const std::string &line : splitLines(readAll())) pipe.SendLine(fromUtf8(line));
  std::fwrite(g_pipe_fake.fromEa.data(), 1, g_pipe_fake.fromEa.size(), stdout);
  return 0;
}

int main(int argc, char **argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "json") return modeJson();
  if (mode == "quote") return modeQuote();
  if (mode == "u64") return modeU64();
  if (mode == "number") return modeNumber();
  if (mode == "send") return modeSend();
  if (mode == "sha256" || mode == "hmac" || mode == "proof" || mode == "equal") return modeCrypto(mode);
  if (mode == "frames") {
    int maxFrame = argc > 2 ? std::atoi(argv[2]) : 1048576;
    std::vector<int> chunks;
    if (argc > 3) {
      std::stringstream ss(argv[3]);
      std::string part;
      while (std::getline(ss, part, ',')) chunks.push_back(std::atoi(part.c_str()));
    }
    return modeFrames(maxFrame, chunks);
  }
  std::fprintf(stderr, "unknown mode\n");
  return 2;
}

int pd_open_other_file(const string &, int) { return INVALID_HANDLE; }
void pd_close_other_file(int) {}
