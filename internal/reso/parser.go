package reso

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Limits that keep one $filter from exhausting the server.
const (
	maxFilterLength = 4000 // bytes
	maxFilterDepth  = 32   // nested parentheses, not and lambdas
	maxInItems      = 200  // values in one in (…) list
)

// The abstract syntax of a $filter. and/or chains are n-ary, so the tree is
// never deeper than the nesting the caller wrote.
type (
	node interface{ at() int }

	// logicalNode is a chain of and (or of or) operands.
	logicalNode struct {
		op    string
		items []node
		pos   int
	}
	notNode struct {
		x   node
		pos int
	}
	// compareNode is eq, ne, gt, ge, lt, le or has.
	compareNode struct {
		op   string
		l, r node
		pos  int
	}
	inNode struct {
		x    node
		list []node
		pos  int
	}
	// nameNode is a field or a lambda's range variable.
	nameNode struct {
		name string
		pos  int
	}
	literalNode struct{ tok token }
	nowNode     struct{ pos int }
	// lambdaNode is Collection/any(v: body), Collection/all(v: body) or
	// Collection/any().
	lambdaNode struct {
		coll string
		all  bool
		v    string
		body node // nil for any()
		pos  int
	}
	// callNode is a function call: contains(City, 'Aus'), year(CloseDate).
	callNode struct {
		name string
		args []node
		pos  int
	}
)

func (n *logicalNode) at() int { return n.pos }
func (n *notNode) at() int     { return n.pos }
func (n *compareNode) at() int { return n.pos }
func (n *inNode) at() int      { return n.pos }
func (n *nameNode) at() int    { return n.pos }
func (n *literalNode) at() int { return n.tok.pos }
func (n *nowNode) at() int     { return n.pos }
func (n *lambdaNode) at() int  { return n.pos }
func (n *callNode) at() int    { return n.pos }

var compareOps = []string{"eq", "ne", "gt", "ge", "lt", "le", "has"}

// keywords cannot be field or variable names.
var keywords = []string{"and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le", "has", "in", "true", "false", "null", "now", "any", "all"}

// parseFilter parses a $filter into its syntax tree. Invalid errors name
// the fault and its position: an oversized or empty filter, a malformed
// token, unbalanced parentheses, nesting past maxFilterDepth, trailing
// text.
func parseFilter(src string) (node, error) {
	if len(src) > maxFilterLength {
		return nil, filterError(-1, "longer than %d characters", maxFilterLength)
	}
	if !utf8.ValidString(src) || strings.IndexByte(src, 0) >= 0 {
		return nil, filterError(-1, "is not valid UTF-8 text")
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	if toks[0].kind == tEOF {
		return nil, filterError(-1, "is empty")
	}
	p := &parser{toks: toks}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, filterError(t.pos, "unbalanced parentheses: unexpected )")
		}
		return nil, filterError(t.pos, "unexpected %s after a complete expression", t)
	}
	return n, nil
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

// keyword consumes the name kw when it comes next.
func (p *parser) keyword(kw string) bool {
	if t := p.peek(); t.kind == tIdent && t.text == kw {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(k tokenKind, what string) (token, error) {
	t := p.next()
	if t.kind != k {
		if k == tRParen {
			return t, filterError(t.pos, "unbalanced parentheses: expected ) %s, found %s", what, t)
		}
		return t, filterError(t.pos, "expected %s %s, found %s", tokenNames[k], what, t)
	}
	return t, nil
}

func (p *parser) enter(pos int) error {
	p.depth++
	if p.depth > maxFilterDepth {
		return filterError(pos, "nested deeper than %d levels", maxFilterDepth)
	}
	return nil
}

func (p *parser) parseOr() (node, error) {
	if err := p.enter(p.peek().pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	return p.parseChain("or", p.parseAnd)
}

func (p *parser) parseAnd() (node, error) { return p.parseChain("and", p.parseNot) }

// parseChain parses operands joined by op into one n-ary node.
func (p *parser) parseChain(op string, operand func() (node, error)) (node, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	chain := &logicalNode{op: op, items: []node{first}, pos: first.at()}
	for p.keyword(op) {
		n, err := operand()
		if err != nil {
			return nil, err
		}
		chain.items = append(chain.items, n)
	}
	if len(chain.items) == 1 {
		return first, nil
	}
	return chain, nil
}

// parseNot applies not to the comparison after it: not A eq B is
// not (A eq B).
func (p *parser) parseNot() (node, error) {
	t := p.peek()
	if !p.keyword("not") {
		return p.parseCompare()
	}
	if err := p.enter(t.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	x, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	return &notNode{x: x, pos: t.pos}, nil
}

func (p *parser) parseCompare() (node, error) {
	l, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == tIdent && slices.Contains(compareOps, t.text):
		p.next()
		r, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		l = &compareNode{op: t.text, l: l, r: r, pos: t.pos}
	case t.kind == tIdent && t.text == "in":
		p.next()
		list, err := p.parseList()
		if err != nil {
			return nil, err
		}
		l = &inNode{x: l, list: list, pos: t.pos}
	default:
		return l, nil
	}
	if t := p.peek(); t.kind == tIdent && (t.text == "in" || slices.Contains(compareOps, t.text)) {
		return nil, filterError(t.pos, "comparisons do not chain: put the first in parentheses")
	}
	return l, nil
}

// parseList parses the parenthesised values of in.
func (p *parser) parseList() ([]node, error) {
	if _, err := p.expect(tLParen, "after in"); err != nil {
		return nil, err
	}
	var list []node
	for {
		n, err := p.parsePrimary()
		if err != nil {
			return nil, err
		}
		if list = append(list, n); len(list) > maxInItems {
			return nil, filterError(n.at(), "in lists at most %d values", maxInItems)
		}
		if t := p.next(); t.kind == tRParen {
			return list, nil
		} else if t.kind != tComma {
			return nil, filterError(t.pos, "expected , or ) in the in list, found %s", t)
		}
	}
}
