/** The Lua the gateway's HAProxy loads (gateway.lua). */
import type { GatewayLimits } from '../routes/options';
import { WHY_HEADER } from './edge';
import { BODIES, bufferSize, errorFile } from './files';

/**
 * The Lua part: drops the headers a Connection header lists (hop-by-hop by RFC 9110 §7.6.1), both
 * ways; reads the first request head of a plain-HTTP connection as its bytes arrived, before
 * HAProxy's parser normalises it (it unfolds obs-fold lines and merges identical Host lines, and
 * stops at a second Host before counting headers), refusing what the edge always refused:
 * more than maxHeaderCount header lines 431, a folded line, a bare LF or more than one Host line 400.
 * Later heads of a kept-alive connection and every HTTPS head reach only HAProxy's parser, which
 * re-serialises what it forwards: obs-fold unfolded, bare LF ends normalised, identical Host lines
 * merged (then one Host), CL with TE sent as TE only, differing CLs refused 400; the backend never
 * reads a second request inside one (gateway-edge tests).
 * And the filter tfgw_body counts a request body whose length its head does not declare (chunked,
 * HTTP/2 DATA without Content-Length; the edge sends only those through the `counted` frontend
 * that has it) as it streams: past maxBodyBytes the exchange ends (answered 413 as the edge's
 * rules answer it, with a header that tells the edge why, if no response byte went out yet, else
 * only cut), and nothing past the limit is forwarded.
 */
export function lua(l: GatewayLimits): string {
  const reply = (s: keyof typeof BODIES): string => JSON.stringify(errorFile(s));
  const maxBody = Math.floor(l.maxBodyBytes);
  // Under a buffer's size, a message whole in the buffer may be over the limit too: every body is counted.
  const wholeMayExceed = maxBody < bufferSize(l);
  return `
local MAX_HEADERS = ${Math.max(1, Math.floor(l.maxHeaderCount))}
local REPLY = { ["400"] = ${reply(400)}, ["408"] = ${reply(408)}, ["431"] = ${reply(431)} }
-- What the raw head is refused for (nil: it goes on to the HTTP parser and the edge's rules).
local function refusal(data)
  local e = string.find(data, "\\n\\r?\\n")
  if e == nil then
    -- No whole head within the inspect delay (a full buffer is the HTTP parser's to answer).
    if #data > 0 and #data < ${Math.max(1, l.maxHeaderBytes)} then return "408" end
    return nil
  end
  local head = string.sub(data, 1, e)
  -- An absolute-form target (HAProxy would answer a Host mismatch with its own page); CONNECT is the rules' 405.
  local method, target = string.match(head, "^(%S+) (%S+)")
  if method ~= nil and method ~= "CONNECT" and string.sub(target, 1, 1) ~= "/" and target ~= "*" then return "400" end
  local lines, hosts, folded = -1, 0, false
  for line in string.gmatch(head, "[^\\n]*\\n") do
    lines = lines + 1
    if lines > 0 then
      local c = string.byte(line, 1)
      if c == 32 or c == 9 then folded = true end
      if string.find(line, "^[Hh][Oo][Ss][Tt][ \\t]*:") then hosts = hosts + 1 end
    end
  end
  if lines > MAX_HEADERS then return "431" end
  -- A lone LF ends a line for HAProxy, not for every backend: refused, as a fold or a second Host.
  if folded or hosts > 1 or string.find(head, "^\\n") or string.find(head, "[^\\r]\\n") then return "400" end
  return nil
end
core.register_action("tfgw_head", { "tcp-req" }, function(txn)
  local why = refusal(txn.req:dup() or "")
  if why ~= nil then txn:set_var("sess.refuse", why) end
end)
core.register_service("tfgw_refuse", "tcp", function(applet)
  applet:send(REPLY[applet:get_var("sess.refuse")] or REPLY["400"])
end)
local function listed(hdrs)
  local out = {}
  local c = hdrs["connection"]
  if c == nil then return out end
  for _, v in pairs(c) do
    for tok in string.gmatch(v, "[^,%s]+") do out[string.lower(tok)] = true end
  end
  return out
end
-- Request bodies, counted as they stream.
local MAX_BODY = ${maxBody}
local TOO_LARGE = { status = 413, body = ${JSON.stringify(`${BODIES[413]}\n`)},
  headers = { ["content-type"] = { "text/plain" }, ["connection"] = { "close" }, ["${WHY_HEADER}"] = { "body_too_large" } } }
local Body = { id = "tfgw body", flags = filter.FLT_CFG_FL_HTX }
Body.__index = Body
function Body:new() return setmetatable({ seen = 0 }, Body) end
function Body:http_headers(txn, msg)
  if msg:is_resp() then
    self.answered = true
  elseif ${wholeMayExceed ? 'true' : 'not msg:eom()'} then
    -- (A message whole in the buffer when its head is read is under a limit past the buffer: not counted.)
    filter.register_data_filter(self, msg.channel)
  end
  return filter.CONTINUE
end
function Body:http_payload(txn, msg)
  local n = msg:input()
  if self.seen + n > MAX_BODY then
    -- What came past the limit is dropped first: txn:done() in a filter does not stop the forwarding itself.
    msg:remove()
    -- Once the response has started, the exchange is only cut (a reply would corrupt it).
    if self.answered then txn:done() else txn:done(TOO_LARGE) end
  end
  self.seen = self.seen + n
end
core.register_filter("tfgw_body", Body, function(f) return f end)
core.register_action("tfgw_yield", { "http-req" }, function(txn) core.msleep(2) end)
-- A connection's first request (one without a body) waits a millisecond before it is routed (a
-- turn of the event loop at least, whatever the scheduler's queue holds), so that a runtime command
-- the agent wrote before the client connected (a route paused, gone) is applied first. Later
-- requests of the connection do not wait.
core.register_action("tfgw_turn", { "http-req" }, function(txn)
  txn:set_var("sess.turned", 1)
  core.msleep(1)
end)
-- Drops what a Connection header of hdrs lists, with del (the request's or the response's delete).
local function drop_listed(txn, hdrs, del)
  local ws = txn:get_var("txn.ws") == 1
  for name, _ in pairs(listed(hdrs)) do
    if not (ws and name == "upgrade") then del(txn.http, name) end
  end
end
core.register_action("tfgw_req_listed", { "http-req" }, function(txn)
  drop_listed(txn, txn.http:req_get_headers(), txn.http.req_del_header)
end)
core.register_action("tfgw_res_listed", { "http-res" }, function(txn)
  drop_listed(txn, txn.http:res_get_headers(), txn.http.res_del_header)
end)
`;
}
