package web

import (
	"slices"
	"strings"
)

// navItem is one link of the side navigation: shown to a member holding
// any of Perms (to every signed-in member when Perms is empty). Permissions
// only decide what is shown; every page still calls the domain method that
// checks them.
type navItem struct {
	Label string
	Href  string
	Perms []string
	// About says what the page is for, on the start page.
	About string
}

// navArea is a group of the side navigation.
type navArea struct {
	Label string
	Items []navItem
}

// navAreas is the side navigation: every area of realty in order, each with
// the pages it has today. A new page is a new row here; an area without a
// page the member may use is not shown.
var navAreas = []navArea{
	{"Home", []navItem{{"Start", "/", nil, "Your start page"}}},
	{"CRM", []navItem{
		{"My day", "/day", []string{"client.read"}, "Today's appointments, overdue tasks, new matches and your hottest leads"},
		{"Calendar", "/calendar", []string{"client.read"}, "Your week of appointments; book one"},
		{"Clients", "/clients", []string{"client.read"}, "Your clients and leads, by list or on the stage board"},
		{"New client", "/clients/new", []string{"client.write"}, "Add a client or a lead"},
		{"My tasks", "/tasks", []string{"client.read"}, "What is overdue, due today and coming up"},
	}},
	{"Listings", []navItem{
		{"Search listings", "/listings", []string{"listing.read"}, "Find listings by place, price, size and status"},
		{"New listing", "/listings/new", []string{"listing.write"}, "Put a property on the market"},
	}},
	{"Deals", []navItem{
		{"Pipeline", "/deals", []string{"deal.read"}, "Your deals by stage: drag a card to move it on; open a deal"},
		{"Closing this month", "/deals/closing", []string{"deal.read"}, "The deals closing this month and their volume"},
		{"Deal workflow", "/deal-workflow", []string{"deal.read"}, "Milestone templates, compliance checklists and the holiday calendar"},
	}},
	{"Properties", []navItem{
		{"Properties", "/properties", []string{"property.read"}, "Properties, their buildings, units and photos"},
	}},
	{"Documents", []navItem{
		{"Documents", "/documents", []string{"document.read"}, "Contracts, disclosures and reports: search their text, versions, share links"},
	}},
	{"Leasing", []navItem{
		{"Tenants", "/tenants", []string{"lease.read"}, "Tenants, their leases and their ledgers"},
		{"New tenant", "/tenants/new", []string{"lease.manage"}, "Add a tenant or an applicant"},
		{"Leases", "/leases", []string{"lease.read"}, "Leases: draft, activate, renew, end"},
		{"Rent roll", "/rent-roll", []string{"lease.read"}, "Each property's units, leases, rents and balances"},
	}},
	{"Accounting", []navItem{
		{"AR aging", "/aging", []string{"invoice.read"}, "What tenants owe, by days past due"},
		{"Billing run", "/billing", []string{"invoice.read"}, "Preview a month's rent invoices and late fees, then issue them"},
		{"Bills", "/bills", []string{"bill.read"}, "Vendor bills and expenses: approve and pay them"},
	}},
	{"Maintenance", []navItem{
		{"Work orders", "/work-orders", []string{"maintenance.read"}, "Repairs from report to completion; filter the open, urgent and overdue"},
		{"New work order", "/work-orders/new", []string{"maintenance.write"}, "File a repair at a property or unit"},
		{"Vendors", "/vendors", []string{"maintenance.read"}, "Contractors by trade, their insurance and rating"},
		{"Inspections", "/inspections", []string{"maintenance.read"}, "Move-in, move-out and periodic inspections; compare move-out with move-in"},
	}},
	{"Messages", []navItem{
		{"Inbox", "/messages", []string{"message.read"}, "Conversations with tenants and vendors, unread first to the eye"},
		{"New message", "/messages/new", []string{"message.send"}, "Write to a tenant"},
		{"Announcements", "/announcements", []string{"announcement.read"}, "Notices to every tenant of a property, building or unit"},
		{"New announcement", "/announcements/new", []string{"announcement.manage"}, "Announce to the tenants of a property, building or unit"},
	}},
	{"Reports", []navItem{
		{"Dashboard", "/dashboard", []string{"lease.read"}, "Occupancy, this month's collections and AR aging, in charts"},
		{"Income statement", "/reports/income-statement", []string{"ledger.read"}, "Income and expenses over a range, of the organization or one property"},
		{"Balance sheet", "/reports/balance-sheet", []string{"ledger.read"}, "Assets, liabilities and equity as of a day"},
		{"General ledger", "/reports/general-ledger", []string{"ledger.read"}, "An account's lines with running balance"},
		{"Owner statement", "/reports/owner-statement", []string{"ledger.read"}, "A property's month: income, expenses, reserves and distributions"},
		{"Budgets", "/budgets", []string{"ledger.read"}, "Budgets by year, budget vs actual, copy from last year's actuals"},
		{"Saved reports", "/reports/saved", []string{"ledger.read"}, "Reports e-mailed on a monthly schedule"},
		{"Occupancy", "/reports/occupancy", []string{"lease.read"}, "Units by status, the vacancy rate and days vacant; CSV"},
	}},
	{"Admin", []navItem{
		{"Members", "/admin/members", []string{"member.read"}, "The people of the organization and their roles"},
		{"Invitations", "/admin/invitations", []string{"member.read", "member.invite"}, "Invite people and follow open invitations"},
		{"Roles", "/admin/roles", []string{"role.read"}, "Roles, their permissions and who holds them"},
		{"API keys", "/admin/api-keys", []string{"apikey.read"}, "Keys for programs using the API"},
		{"Audit log", "/admin/audit", []string{"audit.read"}, "Every change and security event"},
	}},
}

// navLink is an item as the layout shows it.
type navLink struct {
	navItem
	Current bool
}

// navGroup is an area as the layout shows it: only its visible items.
type navGroup struct {
	Label string
	Links []navLink
}

// Nav returns the areas and items the signed-in member may use, the item
// of the current page marked; nil for an anonymous visitor.
func (v *view) Nav() []navGroup {
	if v.User == nil {
		return nil
	}
	var out []navGroup
	current := currentHref(v)
	for _, a := range navAreas {
		g := navGroup{Label: a.Label}
		for _, it := range a.Items {
			if v.mayUse(it) {
				g.Links = append(g.Links, navLink{navItem: it, Current: it.Href == current})
			}
		}
		if len(g.Links) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// Workspace reports whether the member may use any page beyond the start
// page: staff do, residents and clients (today) do not, and see neither
// the side navigation nor the menu.
func (v *view) Workspace() bool {
	for _, g := range v.Nav() {
		for _, l := range g.Links {
			if len(l.Perms) > 0 {
				return true
			}
		}
	}
	return false
}

func (v *view) mayUse(it navItem) bool {
	return len(it.Perms) == 0 || slices.ContainsFunc(it.Perms, v.Can)
}

// currentHref is the href of the item the current page belongs to: the
// longest one that is the path or a parent of it ("/listings" for
// "/listings/{id}", "/listings/new" for itself).
func currentHref(v *view) string {
	best := ""
	for _, a := range navAreas {
		for _, it := range a.Items {
			match := v.Path == it.Href || (it.Href != "/" && strings.HasPrefix(v.Path, it.Href+"/"))
			if match && len(it.Href) > len(best) {
				best = it.Href
			}
		}
	}
	return best
}
