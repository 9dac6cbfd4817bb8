-- get.lua: GET one person — authorised (the token's officer, in reach) and
-- masked (identity number and phone are never shown in clear).
wrk.path = "/v1/persons/" .. env("LOAD_PERSON")
