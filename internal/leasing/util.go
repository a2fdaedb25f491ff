package leasing

import (
	"errors"

	"github.com/jackc/pgx/v5"
)

func errorsIsNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
