package reso

import (
	"slices"
	"strconv"
)

// parsePrimary parses an operand: a parenthesised expression, a literal,
// or what starts with a name.
func (p *parser) parsePrimary() (node, error) {
	t := p.next()
	switch t.kind {
	case tLParen:
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "to close the ( at character "+strconv.Itoa(t.pos+1)); err != nil {
			return nil, err
		}
		return n, nil
	case tString, tNumber, tDate, tDateTime, tEnum:
		return &literalNode{tok: t}, nil
	case tIdent:
		return p.parseName(t)
	case tRParen:
		return nil, filterError(t.pos, "unbalanced parentheses: unexpected )")
	case tEOF:
		return nil, filterError(t.pos, "unexpected end of filter: an operand is missing")
	}
	return nil, filterError(t.pos, "unexpected %s", t)
}

// parseName parses what starts with a name: a keyword literal, now(), a
// lambda over a collection, or a field or variable.
func (p *parser) parseName(t token) (node, error) {
	switch t.text {
	case "true", "false", "null":
		return &literalNode{tok: t}, nil
	case "now":
		if _, err := p.expect(tLParen, "after now"); err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "after now("); err != nil {
			return nil, err
		}
		return &nowNode{pos: t.pos}, nil
	}
	if slices.Contains(keywords, t.text) {
		return nil, filterError(t.pos, "unexpected %s where an operand belongs", t.text)
	}
	switch p.peek().kind {
	case tLParen:
		return p.parseCall(t)
	case tSlash:
		p.next()
		return p.parseLambda(t)
	}
	return &nameNode{name: t.text, pos: t.pos}, nil
}

// parseLambda parses any(v: body), all(v: body) or any() after Coll/.
func (p *parser) parseLambda(coll token) (node, error) {
	op := p.next()
	if op.kind != tIdent || (op.text != "any" && op.text != "all") {
		return nil, filterError(op.pos, "expected any or all after %s/, found %s", clip(coll.text), op)
	}
	if err := p.enter(op.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if _, err := p.expect(tLParen, "after "+op.text); err != nil {
		return nil, err
	}
	n := &lambdaNode{coll: coll.text, all: op.text == "all", pos: coll.pos}
	if !n.all && p.peek().kind == tRParen {
		p.next()
		return n, nil
	}
	v, err := p.expect(tIdent, "(a range variable) in "+op.text)
	if err != nil {
		return nil, err
	}
	if slices.Contains(keywords, v.text) {
		return nil, filterError(v.pos, "%s cannot name a range variable", v.text)
	}
	if _, err := p.expect(tColon, "after the range variable"); err != nil {
		return nil, err
	}
	if n.body, err = p.parseOr(); err != nil {
		return nil, err
	}
	n.v = v.text
	if _, err := p.expect(tRParen, "to close "+op.text+"("); err != nil {
		return nil, err
	}
	return n, nil
}

// parseCall parses a function call name(arg, …); the translator checks
// the name and the arguments' number and types.
func (p *parser) parseCall(name token) (node, error) {
	if _, ok := functions[name.text]; !ok {
		return nil, filterError(name.pos, "unsupported function %s: supported are now, %s", clip(name.text), functionNames())
	}
	if err := p.enter(name.pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	p.next() // (
	n := &callNode{name: name.text, pos: name.pos}
	for {
		arg, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, arg)
		if t := p.next(); t.kind == tRParen {
			return n, nil
		} else if t.kind != tComma || len(n.args) == 2 {
			return nil, filterError(t.pos, "expected ) to close %s(, found %s", n.name, t)
		}
	}
}
