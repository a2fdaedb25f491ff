package reso

import (
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"realty"
	"realty/internal/postgres"
)

// serveCount answers /Set/$count: the number of entities matching $filter
// (all of them without one), as plain text. Errors are OData JSON as
// everywhere: 404 for an unknown set, 400 for a bad filter or another
// option.
func (h *handler) serveCount(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("resource")
	set := entitySetNamed(name)
	actor, ok := h.authorize(w, r, set)
	if !ok {
		return
	}
	if set == nil {
		h.fail(w, r, &realty.Error{Kind: realty.NotFound, Message: "no entity set " + name + ": see " + Root})
		return
	}
	o, err := parseAllowed(set, r.URL.RawQuery, countOptions)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	o.count = true
	q, err := collectionQuery(set, actor, o)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var n int64
	err = postgres.Read(r.Context(), h.pool, actor, func(rows pgx.Rows) error {
		if !rows.Next() {
			return rows.Err()
		}
		return rows.Scan(&n)
	}, q.countSQL, q.countArgs...)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	write(w, http.StatusOK, textType, []byte(strconv.FormatInt(n, 10)))
}
