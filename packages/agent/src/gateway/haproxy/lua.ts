/** The Lua the gateway's HAProxy loads (gateway.lua). */
import type { GatewayLimits } from '../options';
import { BODIES, errorFile } from './files';

/**
 * The Lua part: drops the headers a Connection header lists (hop-by-hop by RFC 9110 §7.6.1), both
 * ways; and reads the first request head of a plain-HTTP connection as its bytes arrived, before
 * HAProxy's parser normalises it (it unfolds obs-fold lines and merges identical Host lines, and
 * stops at a second Host before counting headers), refusing what the edge always refused:
 * more than maxHeaderCount header lines 431, a folded line, a bare LF or more than one Host line 400.
 */
export function lua(l: GatewayLimits): string {
  const reply = (s: keyof typeof BODIES): string => JSON.stringify(errorFile(s));
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
core.register_action("tfgw_yield", { "http-req" }, function(txn) core.msleep(2) end)
core.register_action("tfgw_req_listed", { "http-req" }, function(txn)
  local ws = txn:get_var("txn.ws") == 1
  for name, _ in pairs(listed(txn.http:req_get_headers())) do
    if not (ws and name == "upgrade") then txn.http:req_del_header(name) end
  end
end)
core.register_action("tfgw_res_listed", { "http-res" }, function(txn)
  local ws = txn:get_var("txn.ws") == 1
  for name, _ in pairs(listed(txn.http:res_get_headers())) do
    if not (ws and name == "upgrade") then txn.http:res_del_header(name) end
  end
end)
`;
}
