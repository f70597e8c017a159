-- Wireshark dissector for the socket-programming labs' UDP messages:
--   Ping <seq> <time>         the UDP Pinger's request
--   PING <seq> <time>         its reply (the request upper-cased)
--   Heartbeat <seq> <time>... the heartbeat client's datagram
--
-- Without it, Wireshark decodes UDP port 12000 as IBM Enterprise Extender
-- (then LLC), since that is the port's registered use. Load it with
--   tshark -X lua_script:contrib/wireshark/socklab.lua -r run.pcapng
-- or copy it into Wireshark's personal plugins folder. Without the
-- dissector, `tshark -d udp.port==12000,data` shows the payload as data.
--
-- It claims UDP port 12000 (the lab sheet's), and recognises the messages
-- on any other port (a link's front port is chosen by the kernel) by their
-- first word.

local socklab = Proto("socklab", "socklab lab message")

local f_kind = ProtoField.string("socklab.kind", "Kind")
local f_seq = ProtoField.uint32("socklab.seq", "Sequence number")
local f_time = ProtoField.string("socklab.time", "Send time (Unix seconds)")
local f_rest = ProtoField.string("socklab.rest", "Rest")
socklab.fields = { f_kind, f_seq, f_time, f_rest }

local kinds = { Ping = "ping", PING = "reply", Heartbeat = "heartbeat" }

-- parse returns the message's kind, seq, time and the rest, or nil.
local function parse(text)
  local word, seq, time, rest = text:match("^(%a+) (%d+) ([%d%.]+)(.*)$")
  if word == nil or kinds[word] == nil then
    return nil
  end
  return kinds[word], tonumber(seq), time, rest
end

local function dissect(tvb, pinfo, tree)
  local text = tvb:raw()
  local kind, seq, time, rest = parse(text)
  if kind == nil then
    return 0
  end
  pinfo.cols.protocol = "socklab"
  pinfo.cols.info = string.format("%s seq=%d time=%s", kind, seq, time)
  local sub = tree:add(socklab, tvb(), "socklab " .. kind)
  sub:add(f_kind, kind)
  sub:add(f_seq, seq)
  sub:add(f_time, time)
  if rest ~= nil and rest ~= "" then
    sub:add(f_rest, (rest:gsub("^ ", "")))
  end
  return tvb:len()
end

function socklab.dissector(tvb, pinfo, tree)
  if dissect(tvb, pinfo, tree) == 0 then
    Dissector.get("data"):call(tvb, pinfo, tree)
  end
end

local function heuristic(tvb, pinfo, tree)
  return dissect(tvb, pinfo, tree) > 0
end

DissectorTable.get("udp.port"):add(12000, socklab)
socklab:register_heuristic("udp", heuristic)
