-- bare.lua: GET the bare net/http handler's small JSON document, with the
-- same headers as every other scenario. The reference all figures divide by.
wrk.path = "/v1/persons/bare"
