package service

import (
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
)

// TestUserHashComparedInConstantTime reads verifyUserHash's source: it must
// compare with hmac.Equal (constant time) and use no == or bytes.Equal,
// which return early on the first differing byte.
func TestUserHashComparedInConstantTime(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "identity.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var fn *ast.FuncDecl
	for _, d := range f.Decls {
		if d, ok := d.(*ast.FuncDecl); ok && d.Name.Name == "verifyUserHash" {
			fn = d
		}
	}
	if fn == nil {
		t.Fatal("verifyUserHash not found")
	}
	constantTime := false
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok {
				switch x.Name + "." + n.Sel.Name {
				case "hmac.Equal", "subtle.ConstantTimeCompare":
					constantTime = true
				case "bytes.Equal", "strings.EqualFold":
					t.Errorf("verifyUserHash compares with %s.%s", x.Name, n.Sel.Name)
				}
			}
		case *ast.BinaryExpr:
			if n.Op == token.EQL && !isConst(n.X) && !isConst(n.Y) {
				t.Errorf("verifyUserHash compares two values with ==")
			}
		}
		return true
	})
	if !constantTime {
		t.Error("verifyUserHash does not use hmac.Equal or subtle.ConstantTimeCompare")
	}
}

func TestVerifyUserHash(t *testing.T) {
	const secret = "is_test"
	good := UserHash(secret, "Ann@Example.com")
	for _, c := range []struct {
		email, hash string
		want        bool
	}{
		{"ann@example.com", good, true},
		{"ANN@EXAMPLE.COM", good, true},
		{"bob@example.com", good, false},
		{"ann@example.com", good[:63] + "0", good[63] == '0'},
		{"ann@example.com", "not hex", false},
		{"ann@example.com", "", false},
	} {
		if got := verifyUserHash(secret, c.email, c.hash); got != c.want {
			t.Errorf("verifyUserHash(%q, %q) = %v", c.email, c.hash, got)
		}
	}
	if verifyUserHash("", "ann@example.com", UserHash("", "ann@example.com")) {
		t.Error("an empty secret verified a hash")
	}
}

func isConst(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		return e.Name == "nil"
	}
	return false
}
