package structure

import (
	"testing"

	"realty/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
