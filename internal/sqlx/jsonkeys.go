package sqlx

import (
	"fmt"
	"strings"
)

// JSONStrings is a SELECT of (id, value) pairs, so named: for every row of table,
// each distinct non-empty string that its JSON text column body holds
// under one of keys, at any depth, as the key's value or as an element of
// the key's array value. Keys are trusted identifiers (letters only).
// Migrations use it to fill an index from records stored whole as JSON
// before the index existed: SQLite walks the body with json_tree,
// PostgreSQL with one SQL/JSON path per key.
func (d *Dialect) JSONStrings(table, id, body string, keys []string) string {
	if d.Engine == Postgres {
		paths := make([]string, len(keys))
		for i, k := range keys {
			// lax: [*] of a string is the string itself, of an array its
			// elements; .** reaches every depth.
			paths[i] = fmt.Sprintf(`SELECT jsonb_path_query(t.%s::jsonb, 'lax $.**.%s[*]') AS v`, body, k)
		}
		return fmt.Sprintf(`SELECT DISTINCT t.%s AS id, x.v #>> '{}' AS value FROM %s t CROSS JOIN LATERAL (%s) x
			WHERE jsonb_typeof(x.v) = 'string' AND x.v #>> '{}' <> ''`, id, table, strings.Join(paths, ` UNION ALL `))
	}
	quoted := make([]string, len(keys))
	conds := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = `'` + k + `'`
		conds[i] = `j.path LIKE '%.` + k + `'` // an element of the key's array
	}
	return fmt.Sprintf(`SELECT DISTINCT t.%s AS id, j.value AS value FROM %s t, json_tree(t.%s) j
		WHERE j.type = 'text' AND j.value <> '' AND (j.key IN (%s) OR %s)`, id, table, body,
		strings.Join(quoted, ", "), strings.Join(conds, " OR "))
}
