"""The Lua scripts that write the read model. Each runs atomically in Redis: it compares the
record's version (or profile time) with what Redis holds, changes nothing for an older or equal
one, and otherwise writes the record and every index it touches in the same step. Every key a
script touches starts with the tenant's prefix (ARGV[1]), whose hash tag puts them in one slot.
"""

from __future__ import annotations

# KEYS[1] group document. ARGV: prefix, group id, version, deleted, document, completeness,
# engagement, updated (ms), account id, solution interest id, stage, n, n index keys, m, m people,
# r, r roles of the group's template.
SNAPSHOT = """
local P, gid, version = ARGV[1], ARGV[2], tonumber(ARGV[3])
local known = redis.call('HGET', P..'versions', gid)
if known and tonumber(known) >= version then return 0 end
redis.call('HSET', P..'versions', gid, ARGV[3])
local gi, gm = P..'gi:'..gid, P..'gm:'..gid
for _, key in ipairs(redis.call('SMEMBERS', gi)) do redis.call('SREM', key, gid) end
redis.call('DEL', gi)
local n = tonumber(ARGV[12])
local m = tonumber(ARGV[13 + n])
local members = {}
for i = 1, m do members[ARGV[13 + n + i]] = true end
for _, pid in ipairs(redis.call('SMEMBERS', gm)) do
  if not members[pid] then
    local pg = P..'pg:'..pid
    redis.call('SREM', pg, gid)
    if redis.call('SCARD', pg) == 0 then redis.call('ZREM', P..'z:members', pid) end
  end
end
redis.call('DEL', gm)
if ARGV[4] == '1' then
  redis.call('DEL', KEYS[1], P..'hist:'..gid, P..'explain:'..gid, P..'parts:'..gid,
    P..'stagehist:'..gid)
  for _, f in ipairs({'completeness', 'engagement', 'updated'}) do
    redis.call('ZREM', P..'z:'..f, gid)
  end
  return 1
end
redis.call('SET', KEYS[1], ARGV[5])
redis.call('ZADD', P..'z:completeness', ARGV[6], gid)
redis.call('ZADD', P..'z:engagement', ARGV[7], gid)
redis.call('ZADD', P..'z:updated', ARGV[8], gid)
redis.call('SADD', P..'s:sis', ARGV[10])
if ARGV[11] ~= '' then redis.call('SADD', P..'s:stages', ARGV[11]) end
local function index(key)
  redis.call('SADD', key, gid)
  redis.call('SADD', gi, key)
end
for i = 1, n do index(ARGV[12 + i]) end
local account = redis.call('HMGET', P..'a:'..ARGV[9], 'industry', 'region')
if account[1] then index(P..'s:industry:'..account[1]) end
if account[2] then index(P..'s:region:'..account[2]) end
local r = tonumber(ARGV[14 + n + m])
for i = 1, r do redis.call('SADD', P..'s:roles', ARGV[14 + n + m + i]) end
for pid, _ in pairs(members) do
  redis.call('SADD', gm, pid)
  redis.call('SADD', P..'pg:'..pid, gid)
  local score = redis.call('ZSCORE', P..'z:pscore', pid)
  redis.call('ZADD', P..'z:members', score or 0, pid)
end
return 1
"""

# KEYS[1] group history. ARGV: prefix, group id, record kind, version, history entry,
# members-added field (or ''), history length, explanation (or ''), stage history length (0: not
# a stage move), n, then n pairs of score part field and its points ('' for none).
CHANGE = """
local P, gid, version = ARGV[1], ARGV[2], tonumber(ARGV[4])
local mark = ARGV[3]..'|'..gid
local known = redis.call('HGET', P..'changev', mark)
if known and tonumber(known) >= version then return 0 end
redis.call('HSET', P..'changev', mark, ARGV[4])
if ARGV[6] ~= '' then redis.call('HINCRBY', P..'added', ARGV[6], 1) end
local group_version = redis.call('HGET', P..'versions', gid)
local deleted = group_version and tonumber(group_version) >= version
  and redis.call('EXISTS', P..'g:'..gid) == 0
if deleted then return 1 end
redis.call('ZADD', KEYS[1], version, ARGV[5])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[7]) + 1))
if ARGV[8] ~= '' then redis.call('SET', P..'explain:'..gid, ARGV[8]) end
local stage_length = tonumber(ARGV[9])
if stage_length > 0 then
  local moves = P..'stagehist:'..gid
  redis.call('ZADD', moves, version, ARGV[5])
  redis.call('ZREMRANGEBYRANK', moves, 0, -(stage_length + 1))
end
local parts = P..'parts:'..gid
for i = 1, tonumber(ARGV[10]) do
  local f, points = ARGV[9 + 2 * i], ARGV[10 + 2 * i]
  if points == '' then redis.call('HDEL', parts, f) else redis.call('HSET', parts, f, points) end
end
return 1
"""

# KEYS[1] person hash. ARGV: prefix, person id, occurred at (ms), deleted, first name,
# last name, job title. A deletion keeps only the time and the mark (no personal data).
PERSON = """
local P, pid = ARGV[1], ARGV[2]
local known = redis.call('HGET', KEYS[1], 'at')
if known and tonumber(known) >= tonumber(ARGV[3]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'at', ARGV[3])
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], 'deleted', '1')
  redis.call('ZREM', P..'z:pscore', pid)
  redis.call('ZREM', P..'z:members', pid)
  return 1
end
local fields = {'first_name', 'last_name', 'job_title'}
for i, f in ipairs(fields) do
  if ARGV[4 + i] ~= '' then redis.call('HSET', KEYS[1], f, ARGV[4 + i]) end
end
return 1
"""

# KEYS[1] account hash. ARGV: prefix, account id, occurred at (ms), deleted, name, industry,
# region. The account's groups move to the industry and region sets of the new values.
ACCOUNT = """
local P, acc = ARGV[1], ARGV[2]
local known = redis.call('HGET', KEYS[1], 'at')
if known and tonumber(known) >= tonumber(ARGV[3]) then return 0 end
local old = redis.call('HMGET', KEYS[1], 'industry', 'region')
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'at', ARGV[3])
local new = {false, false}
if ARGV[4] ~= '1' then
  if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'name', ARGV[5]) end
  if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'industry', ARGV[6]); new[1] = ARGV[6] end
  if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'region', ARGV[7]); new[2] = ARGV[7] end
  if new[1] then redis.call('SADD', P..'s:industries', new[1]) end
  if new[2] then redis.call('SADD', P..'s:regions', new[2]) end
end
local kinds = {'s:industry:', 's:region:'}
for _, gid in ipairs(redis.call('SMEMBERS', P..'s:account:'..acc)) do
  local gi = P..'gi:'..gid
  for i, kind in ipairs(kinds) do
    if old[i] then
      redis.call('SREM', P..kind..old[i], gid)
      redis.call('SREM', gi, P..kind..old[i])
    end
    if new[i] then
      redis.call('SADD', P..kind..new[i], gid)
      redis.call('SADD', gi, P..kind..new[i])
    end
  end
end
return 1
"""

# KEYS[1] person scores. ARGV: prefix, person id, version, score.
PERSON_SCORE = """
local P, pid, version = ARGV[1], ARGV[2], tonumber(ARGV[3])
local known = redis.call('HGET', P..'pscorev', pid)
if known and tonumber(known) >= version then return 0 end
redis.call('HSET', P..'pscorev', pid, ARGV[3])
if redis.call('HGET', P..'p:'..pid, 'deleted') == '1' then return 1 end
redis.call('ZADD', KEYS[1], ARGV[4], pid)
if redis.call('SCARD', P..'pg:'..pid) > 0 then redis.call('ZADD', P..'z:members', ARGV[4], pid) end
return 1
"""

# Read-only. KEYS[1] the sorted set to sort by. ARGV: prefix, n, n index sets, completeness
# from, completeness below, engagement from, engagement below, descending ('1'/'0'), cursor
# score (or ''), cursor group id, page size. Returns total, then id/score pairs of the page.
FILTER = """#!lua flags=no-writes
local P, n = ARGV[1], tonumber(ARGV[2])
local sets = {}
for i = 1, n do sets[i] = ARGV[2 + i] end
local a = 3 + n
local c_from, c_below = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
local e_from, e_below = tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
local desc, cursor_id, size = ARGV[a + 4] == '1', ARGV[a + 6], tonumber(ARGV[a + 7])
local cursor_score = tonumber(ARGV[a + 5])
local candidates
if n > 0 then
  candidates = redis.call('SINTER', unpack(sets))
else
  candidates = redis.call('ZRANGE', P..'z:completeness', 0, -1)
end
local rows = {}
for _, gid in ipairs(candidates) do
  local c = tonumber(redis.call('ZSCORE', P..'z:completeness', gid))
  local e = tonumber(redis.call('ZSCORE', P..'z:engagement', gid))
  if c and e and c >= c_from and c < c_below and e >= e_from and e < e_below then
    rows[#rows + 1] = {tonumber(redis.call('ZSCORE', KEYS[1], gid)), gid}
  end
end
local function before(x, y)
  if x[1] ~= y[1] then
    if desc then return x[1] > y[1] end
    return x[1] < y[1]
  end
  return x[2] < y[2]
end
table.sort(rows, before)
local out = {#rows}
local started = cursor_score == nil
for _, row in ipairs(rows) do
  if started then
    if #out >= 1 + 2 * size then break end
    out[#out + 1] = row[2]
    out[#out + 1] = string.format('%.17g', row[1])
  elseif before({cursor_score, cursor_id}, row) then
    started = true
    out[#out + 1] = row[2]
    out[#out + 1] = string.format('%.17g', row[1])
  end
end
return out
"""
