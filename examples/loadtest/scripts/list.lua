-- list.lua: list 50 visits of one station with filters (target kind, from a
-- date), newest first, as a station's daily work list does.
wrk.path = "/v1/visits?unitId=" .. env("LOAD_UNIT") .. "&targetKind=difficult_family&from=" ..
  env("LOAD_FROM") .. "&limit=50"
