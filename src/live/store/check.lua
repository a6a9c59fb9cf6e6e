-- throttlelab: one atomic decision over every limiter level of a request (hierarchy semantics:
-- each level is evaluated; the request is charged at every level iff every level admits it;
-- a denying level records what its in-crate `check` would record on a denial).
--
-- Mirrors, decision for decision, the in-crate algorithms of the `limiters` crate:
--   token_bucket (limiters/src/token_bucket.rs), gcra (limiters/src/gcra.rs),
--   sliding_log (limiters/src/sliding_log.rs), fixed_window (limiters/src/fixed_window.rs),
--   quota (limiters/src/quota.rs, with its release: refunds of failed requests)
-- in integer nanoseconds. Lua numbers are doubles, exact for integers below 2^53; the Rust side
-- refuses parameters whose products could exceed that, and every stored time is kept relative
-- to a per-key epoch second `e` (rebased after 10^6 s) so times stay small.
--
-- Clock: Redis server time (`TIME`), so every `serve` process sharing this Redis judges with one
-- clock (no skew between processes or hosts). ARGV[2] may give an explicit `now` in ns instead
-- (tests use it to replay a sequence against the in-crate algorithm; epoch is then 0).
--
-- KEYS: two per level: state hash, log sorted set (used by sliding_log only).
-- ARGV[1] = "check" | "peek" | "release"; ARGV[2] = now override or ""; ARGV[3] = cost;
-- ARGV[4] = number of levels; then four per level: algorithm, a, b, c; for "release" (a failed
-- request: quota refunds) one more, the request's latency in ns
--   token_bucket: interval T, burst, capacity (= T * burst)
--   gcra:         interval T, burst, horizon (= T * burst)
--   sliding_log:  limit, window, unused
--   fixed_window: limit, period, align (< period)
--   quota:        limit, period code, epoch (see algos.quota)
-- fixed_window windows start at align + k * period on the clock: Unix time in TIME mode (shared
-- by every process, "the top of the minute"), 0 with an explicit now (as the in-crate one).
-- Returns a flat array, five per level: allowed (0/1), limit, remaining, reset_after,
-- retry_after (-1 for none: a denial that can never pass); reset_after -1 means "never"
-- (Nanos::MAX, a quota balance). "release" returns an empty array.

local mode = ARGV[1]
local override = ARGV[2]
local cost = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local REBASE = 1000000

local tsec, tusec = 0, 0
if override == '' then
  local t = redis.call('TIME')
  tsec, tusec = tonumber(t[1]), tonumber(t[2])
end

-- floor(a / b) for non-negative integers below 2^53, exact.
local function idiv(a, b)
  local q = math.floor(a / b)
  if q * b > a then q = q - 1 elseif (q + 1) * b <= a then q = q + 1 end
  return q
end

-- Epoch handling: returns (e, now relative to e, shift to apply to stored times on write).
local function clock(e)
  if override ~= '' then return 0, tonumber(override), 0 end
  if e == nil then e = tsec end
  local shift = 0
  if tsec - e > REBASE then shift = (tsec - e) * 1000000000; e = tsec end
  return e, (tsec - e) * 1000000000 + tusec * 1000, shift
end

-- a mod b for non-negative integers below 2^53, exact.
local function imod(a, b) return a - idiv(a, b) * b end

-- (absolute time of `now`) mod period, exact. In TIME mode `now` counts from the key's epoch
-- `e` (whole Unix seconds), so the time is e * 10^9 + now; the Rust side only sends periods
-- that are whole seconds or divide one second, for which this needs no product above 2^53.
local function phase(e, now, period)
  if override ~= '' then return imod(now, period) end
  local q = idiv(now, 1000000000)
  local r = now - q * 1000000000
  if imod(period, 1000000000) == 0 then
    return imod(e + q, period / 1000000000) * 1000000000 + r
  end
  return imod(r, period)
end

-- integers as exact decimal strings (Lua's default number formatting keeps 14 digits only)
local function fmt(x) return string.format('%d', x) end

local function allow(limit, remaining, reset) return {1, limit, remaining, reset, -1} end
local function deny(limit, remaining, reset, retry) return {0, limit, remaining, reset, retry} end
local function never(limit) return {0, limit, 0, 0, -1} end

-- Each algorithm returns (decision, write) where write() persists the state it leaves.
local algos = {}

algos.token_bucket = function(key, _, interval, burst, capacity)
  local st = redis.call('HMGET', key, 'e', 't', 'l')
  local e, now, shift = clock(tonumber(st[1]))
  local tokens = tonumber(st[2]) or capacity
  local last = (tonumber(st[3]) or 0) - shift
  if now < last then now = last end
  tokens = math.min(tokens + (now - last), capacity)
  local need = cost * interval
  local d
  if cost > burst then
    d = never(burst) -- records the refill and the time, charges nothing
  elseif tokens >= need then
    tokens = tokens - need
    d = allow(burst, idiv(tokens, interval), capacity - tokens)
  else
    d = deny(burst, idiv(tokens, interval), capacity - tokens, need - tokens)
  end
  local ttl = math.ceil((capacity - tokens) / 1000000) + 1000
  return d, function()
    redis.call('HSET', key, 'e', fmt(e), 't', fmt(tokens), 'l', fmt(now))
    redis.call('PEXPIRE', key, ttl)
  end
end

algos.gcra = function(key, _, interval, burst, horizon)
  local st = redis.call('HMGET', key, 'e', 'tat', 'l')
  local e, now, shift = clock(tonumber(st[1]))
  local tat = (tonumber(st[2]) or 0) - shift
  local last = (tonumber(st[3]) or 0) - shift
  if now < last then now = last end
  if cost > burst then
    -- records the time, charges nothing
    return never(burst), function()
      redis.call('HSET', key, 'e', fmt(e), 'tat', fmt(tat), 'l', fmt(now))
      redis.call('PEXPIRE', key, math.ceil(math.max(tat - now, 0) / 1000000) + 1000)
    end
  end
  if tat < now then tat = now end
  local ahead = (tat - now) + cost * interval
  local d
  local new_tat = tat
  if ahead <= horizon then
    d = allow(burst, idiv(horizon - ahead, interval), ahead)
    new_tat = now + ahead
  else
    d = deny(burst, idiv(math.max(horizon - (tat - now), 0), interval), tat - now, ahead - horizon)
    -- a denial leaves TAT as it was (stored, not the max with now)
    new_tat = (tonumber(st[2]) or 0) - shift
  end
  local ttl = math.ceil(math.max(new_tat - now, 0) / 1000000) + 1000
  return d, function()
    redis.call('HSET', key, 'e', fmt(e), 'tat', fmt(new_tat), 'l', fmt(now))
    redis.call('PEXPIRE', key, ttl)
  end
end

-- sliding_log keeps one sorted-set member per admitted request (score: its time relative to
-- `e`; member: the running total of admitted cost `C` after it, zero-padded so that members of
-- equal time sort in admission order), and in the hash `C` and `B`, the running total up to
-- the newest entry already removed. Every step is O(log n) in the log's length n (the limit at
-- most), never a walk of the log: the cost in the window is C minus the running total of the
-- newest expired entry (one ZREVRANGEBYSCORE); the retry time of a denial is the time of the
-- first entry whose running total reaches C + cost - limit (a binary search over ranks, on
-- denials only); expired entries are removed with ZREMRANGEBYSCORE (O(log n + removed)).
-- An epoch rebase (every 10^6 s) rewrites the live entries' times once.
local function running(member) return tonumber(member) end
local function member_of(total) return string.format('%016d', total) end

algos.sliding_log = function(key, logkey, limit, window, _)
  local st = redis.call('HMGET', key, 'e', 'l', 'C', 'B')
  local e, now, shift = clock(tonumber(st[1]))
  local last = (tonumber(st[2]) or 0) - shift
  if now < last then now = last end
  local total, base = tonumber(st[3]) or 0, tonumber(st[4]) or 0
  if redis.call('TYPE', logkey).ok == 'list' then
    -- the log of an earlier version (a list): start afresh
    redis.call('DEL', logkey)
    total, base = 0, 0
  end
  -- stored times are relative to the old epoch: old = new + shift
  local cutoff = now - window + shift
  local gone = redis.call('ZREVRANGEBYSCORE', logkey, fmt(cutoff), '-inf', 'LIMIT', 0, 1)
  if gone[1] ~= nil then base = running(gone[1]) end
  local used = total - base
  local newest = nil
  if used > 0 then
    local top = redis.call('ZRANGE', logkey, -1, -1, 'WITHSCORES')
    newest = tonumber(top[2]) - shift
  end
  local d
  if cost > limit then
    d = never(limit)
  elseif used + cost <= limit then
    local reset = window
    if cost == 0 then
      if newest ~= nil then reset = newest + window - now else reset = 0 end
    end
    d = allow(limit, limit - used - cost, reset)
  else
    -- the first entry whose departure frees enough: running total >= total + cost - limit
    local target = total + cost - limit
    local lo, hi = 0, redis.call('ZCARD', logkey) - 1
    while lo < hi do
      local mid = idiv(lo + hi, 2)
      if running(redis.call('ZRANGE', logkey, mid, mid)[1]) >= target then hi = mid else lo = mid + 1 end
    end
    local at = tonumber(redis.call('ZRANGE', logkey, lo, lo, 'WITHSCORES')[2]) - shift
    d = deny(limit, limit - used, newest + window - now, at + window - now)
  end
  return d, function()
    redis.call('ZREMRANGEBYSCORE', logkey, '-inf', fmt(cutoff))
    if used == 0 then
      total, base = 0, 0 -- an empty log: the running totals start again from zero
    end
    if shift ~= 0 and used > 0 then
      local live = redis.call('ZRANGE', logkey, 0, -1, 'WITHSCORES')
      redis.call('DEL', logkey)
      for k = 1, #live, 2 do
        redis.call('ZADD', logkey, fmt(tonumber(live[k + 1]) - shift), live[k])
      end
    end
    if d[1] == 1 and cost > 0 then
      total = total + cost
      redis.call('ZADD', logkey, fmt(now), member_of(total))
    end
    redis.call('HSET', key, 'e', fmt(e), 'l', fmt(now), 'C', fmt(total), 'B', fmt(base))
    local ttl = math.ceil(window / 1000000) + 1000
    redis.call('PEXPIRE', key, ttl)
    redis.call('PEXPIRE', logkey, ttl)
  end
end

algos.fixed_window = function(key, _, limit, period, align)
  local st = redis.call('HMGET', key, 'e', 'w', 'c', 'l')
  local e, now, shift = clock(tonumber(st[1]))
  local last = (tonumber(st[4]) or 0) - shift
  if now < last then now = last end
  local w = tonumber(st[2])
  local count = tonumber(st[3]) or 0
  local window_end
  if w ~= nil and now < w - shift then
    window_end = w - shift
  else
    -- a new window: the end of the one containing now (FixedWindow::window_end_at)
    local r = phase(e, now, period)
    local elapsed
    if r >= align then elapsed = r - align else elapsed = r + (period - align) end
    window_end = now + (period - elapsed)
    count = 0
  end
  local until_end = window_end - now
  local d
  if cost > limit then
    d = never(limit) -- records the window and the time, charges nothing
  elseif count + cost <= limit then
    count = count + cost
    local reset = until_end
    if count == 0 then reset = 0 end
    d = allow(limit, limit - count, reset)
  else
    d = deny(limit, limit - count, until_end, until_end)
  end
  return d, function()
    redis.call('HSET', key, 'e', fmt(e), 'w', fmt(window_end), 'c', fmt(count), 'l', fmt(now))
    redis.call('PEXPIRE', key, math.ceil(until_end / 1000000) + 1000)
  end
end

-- quota (limiters/src/quota.rs, calendar boundaries as limiters/src/calendar.rs: Hinnant's
-- days_from_civil / civil_from_days). Arguments: limit, code = period (0 none, 1 day, 2 month)
-- + 4 if refund_on_failure, epoch (Unix seconds at now = 0; explicit-now mode only: in TIME
-- mode the calendar is Redis's real UTC clock). State: used `u`, period end `p` (Unix seconds,
-- -1 for a balance, which never ends).
local DAY = 86400

local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = idiv(y, 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = idiv(153 * mp + 2, 5) + d - 1
  local doe = yoe * 365 + idiv(yoe, 4) - idiv(yoe, 100) + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = idiv(z, 146097)
  local doe = z - era * 146097
  local yoe = idiv(doe - idiv(doe, 1460) + idiv(doe, 36524) - idiv(doe, 146096), 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + idiv(yoe, 4) - idiv(yoe, 100))
  local mp = idiv(5 * doy + 2, 153)
  local m
  if mp < 10 then m = mp + 3 else m = mp - 9 end
  if m <= 2 then y = y + 1 end
  return y, m
end

-- the first boundary strictly after Unix second `unix` (Period::next_boundary); -1: never
local function next_boundary(period, unix)
  if period == 1 then return (idiv(unix, DAY) + 1) * DAY end
  if period == 2 then
    local y, m = civil_from_days(idiv(unix, DAY))
    if m == 12 then y, m = y + 1, 1 else m = m + 1 end
    return days_from_civil(y, m, 1) * DAY
  end
  return -1
end

-- The quota's state rolled to now (Quota::rolled): e, now, base (Unix second of now = 0),
-- used, period end, and a writer of (used, end).
local function quota_state(key, code, epoch)
  local period = code % 4
  local st = redis.call('HMGET', key, 'e', 'u', 'p', 'l')
  local e, now, shift = clock(tonumber(st[1]))
  local last = (tonumber(st[4]) or 0) - shift
  if now < last then now = last end
  local base = e
  if override ~= '' then base = epoch end
  local unix = base + idiv(now, 1000000000)
  local used, pend = tonumber(st[2]) or 0, tonumber(st[3])
  if pend == nil or (pend >= 0 and unix >= pend) then
    used, pend = 0, next_boundary(period, unix)
  end
  local function write(u)
    redis.call('HSET', key, 'e', fmt(e), 'u', fmt(u), 'p', fmt(pend), 'l', fmt(now))
    if pend < 0 then
      redis.call('PERSIST', key) -- a balance is the state itself: never expires
    else
      redis.call('PEXPIRE', key, (pend - unix + 1) * 1000 + 1000)
    end
  end
  return now, base, used, pend, write
end

algos.quota = function(key, _, limit, code, epoch)
  local now, base, used, pend, write = quota_state(key, code, epoch)
  -- reset_after: time to the period end; -1 stands for Nanos::MAX (a balance never resets)
  local reset = -1
  if pend >= 0 then reset = math.max((pend - base) * 1000000000 - now, 0) end
  local left = math.max(limit - used, 0)
  local d
  if cost > limit then
    d = never(limit)
  elseif cost <= left then
    d = allow(limit, left - cost, reset)
    used = used + cost
  elseif pend < 0 then
    d = {0, limit, left, reset, -1} -- a spent balance: waiting does not help
  else
    d = deny(limit, left, reset, reset)
  end
  return d, function() write(used) end
end

-- Quota::release of a failed request that took `latency` ns: refunded iff it was charged in
-- the current period (and the level refunds failures).
local function quota_release(key, code, epoch, latency)
  if code < 4 then return end
  local now, base, used, pend, write = quota_state(key, code, epoch)
  local at = now - latency
  if override ~= '' and at < 0 then at = 0 end
  local at_unix
  if at >= 0 then
    at_unix = base + idiv(at, 1000000000)
  else
    at_unix = base - idiv(-at + 999999999, 1000000000)
  end
  if pend < 0 or next_boundary(code % 4, at_unix) == pend then
    used = math.max(used - cost, 0)
  end
  write(used)
end

if mode == 'release' then
  local latency = tonumber(ARGV[5 + 4 * n])
  for i = 1, n do
    local base = 4 + (i - 1) * 4
    if ARGV[base + 1] == 'quota' then
      quota_release(KEYS[2 * i - 1], tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4]), latency)
    end
  end
  return {}
end

local decisions, writes, all = {}, {}, true
for i = 1, n do
  local base = 4 + (i - 1) * 4
  local f = algos[ARGV[base + 1]]
  if f == nil then return redis.error_reply('throttlelab: unknown algorithm ' .. ARGV[base + 1]) end
  local d, w = f(KEYS[2 * i - 1], KEYS[2 * i], tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]),
    tonumber(ARGV[base + 4]))
  decisions[i], writes[i] = d, w
  if d[1] == 0 then all = false end
end

local out = {}
for i = 1, n do
  local d = decisions[i]
  -- charge every level iff all admit; a denying level keeps what its own check records;
  -- a level that admitted while another denied is left untouched (it was only peeked)
  if mode == 'check' and writes[i] ~= nil and (all or d[1] == 0) then writes[i]() end
  for k = 1, 5 do out[#out + 1] = d[k] end
end
return out
