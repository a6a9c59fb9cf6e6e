-- throttlelab: one sync of a replica's counters of a `synced` level (see synced.rs).
-- KEYS[i]: the level's global counter of one scope id (this deployment's prefix).
-- ARGV[1]: the counters' time to live in milliseconds; ARGV[i + 1]: this replica's
-- admissions of KEYS[i] since its last sync (0: only read the counter).
-- Returns the global counts after the deltas are added, in KEYS order. Redis runs a script
-- without interleaving, so the counts include every other replica's earlier syncs exactly.
local out = {}
for i, key in ipairs(KEYS) do
  local delta = tonumber(ARGV[i + 1])
  if delta > 0 then
    out[i] = redis.call('INCRBY', key, delta)
    redis.call('PEXPIRE', key, ARGV[1])
  else
    out[i] = tonumber(redis.call('GET', key) or '0')
  end
end
return out
