package web

// residentNav is the resident portal's navigation: a bar of links above
// the page for a member with no staff page, each shown when the member
// holds any of its permissions. A resident page of another domain (their
// maintenance requests, their messages) is a new row here.
var residentNav = []navItem{
	{"Your home", "/resident", []string{"tenancy.own"}, "Your lease, balance, invoices and payments"},
	{"Invoices", "/resident#resident-invoices", []string{"tenancy.own"}, "What you still have to pay"},
	{"Payments", "/resident#resident-payments", []string{"tenancy.own"}, "What you have paid"},
	{"Notifications", "/resident/notifications", []string{"tenancy.own"}, "Which announcements and messages also come by e-mail"},
	{"Account", "/account", nil, "Your name, email, password and sign-in"},
}

// ResidentNav returns the resident portal's links the member may use,
// the current page's marked; nil for staff (who have the side navigation)
// and for a member with no portal page.
func (v *view) ResidentNav() []navLink {
	if v.User == nil || v.Workspace() || !v.Can("tenancy.own") {
		return nil
	}
	var out []navLink
	for _, it := range residentNav {
		if v.mayUse(it) {
			out = append(out, navLink{navItem: it, Current: it.Href == v.Path})
		}
	}
	return out
}
