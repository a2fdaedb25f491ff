package web_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"realty"
	"realty/internal/fixture"
	"realty/internal/fixture/fixturetest"
)

// chromiumPath is Debian's Chromium, which CI installs.
const chromiumPath = "/usr/bin/chromium"

// TestBrowser drives Chromium through the dashboard served on 127.0.0.1: the
// owner of Alpha, also an owner of Beta, signs in, switches to Beta with the
// switcher, invites an agent, withdraws the invitation from its row through
// htmx (accepting the confirmation), and finds both changes of
// org.invitations in Beta's audit log.
func TestBrowser(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser test needs Chromium at %s: install it with `apt-get install -y chromium` (%v)", chromiumPath, err)
	}
	h := newHarness(t)
	alpha, beta := browserOrgs(t, h)
	ctx := startBrowser(t)
	email := alpha.Personas["owner"].Email

	step(t, ctx, "sign in",
		chromedp.Navigate(h.url+"/login"),
		chromedp.SendKeys(chromedp.CSS(`#login input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`#login input[name="password"]`), fixturetest.Password),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#greeting`)))
	seeText(t, ctx, `#greeting`, "you act in Alpha Realty")

	step(t, ctx, "switch to Beta",
		chromedp.SetValue(chromedp.CSS(`#switcher select`), "beta"),
		chromedp.Click(chromedp.CSS(`#switcher button`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash .notice`)))
	seeText(t, ctx, `#greeting`, "you act in Beta Homes")

	inviteAndWithdraw(t, ctx, h.roleID(beta.Organization.ID, "agent").String())

	step(t, ctx, "open the audit log",
		chromedp.Click(chromedp.CSS(`nav a[href="/admin/audit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#audit-changes tr[data-table="org.invitations"]`)))
	rows, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(`#audit-changes tr[data-table="org.invitations"]`)))
	if err != nil || len(rows) != 2 {
		t.Fatalf("audit rows of org.invitations: %d (%v), want the insert and the update", len(rows), err)
	}
	seeText(t, ctx, `#audit-changes`, "new.agent@example.com")
}

// inviteAndWithdraw invites an agent through the invitations page, then
// withdraws the invitation from its row through htmx.
func inviteAndWithdraw(t *testing.T, ctx context.Context, agentRole string) {
	t.Helper()
	step(t, ctx, "invite an agent",
		chromedp.Click(chromedp.CSS(`nav a[href="/admin/invitations"]`)),
		chromedp.SendKeys(chromedp.CSS(`#invite input[name="email"]`), "new.agent@example.com"),
		chromedp.SetValue(chromedp.CSS(`#invite select[name="role_id"]`), agentRole),
		chromedp.Click(chromedp.CSS(`#invite button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#invitation-token`)))
	seeText(t, ctx, `#invitation-token`, "inv_")
	seeText(t, ctx, `#invitations tbody tr`, "open")

	acceptDialogs(t, ctx)
	step(t, ctx, "withdraw the invitation with htmx",
		chromedp.Click(chromedp.CSS(`#invitations tbody tr button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#invitations tbody tr button`)))
	seeText(t, ctx, `#invitations tbody tr`, "revoked")
	seeText(t, ctx, `#invitation-token`, "inv_") // swapped in place: the page was not reloaded
}

// browserOrgs makes Alpha and Beta, each with only its owner, and makes
// Alpha's owner an owner of Beta too.
func browserOrgs(t *testing.T, h *harness) (fixture.Org, fixture.Org) {
	t.Helper()
	ctx := context.Background()
	alpha, err := fixture.NewOrg(ctx, h.env.Services, "Alpha Realty", "alpha", fixturetest.Password)
	if err != nil {
		t.Fatal(err)
	}
	beta, err := fixture.NewOrg(ctx, h.env.Services, "Beta Homes", "beta", fixturetest.Password)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.env.Org.AddMember(ctx, realty.System(beta.Organization.ID), alpha.Personas["owner"].User.ID, "owner", ""); err != nil {
		t.Fatal(err)
	}
	return alpha, beta
}

// startBrowser starts headless Chromium with its profile and temporary files
// in a directory of its own (removed afterwards), killed when the test ends
// or after 20 s, whichever is first.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	return startBrowserFor(t, 20*time.Second)
}

// startBrowserFor is startBrowser with Chromium killed after limit.
func startBrowserFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	dir, err := os.MkdirTemp("", "realty-browser-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeAll(t, dir) })
	limited, cancelLimit := context.WithTimeout(context.Background(), limit)
	alloc, cancelAlloc := chromedp.NewExecAllocator(limited,
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(filepath.Join(dir, "profile")), chromedp.Env("TMPDIR="+dir))
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancelLimit() }) // cancelAlloc waits for Chromium to exit
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium (%s): %v", chromiumPath, err)
	}
	return ctx
}

// removeAll removes dir, retrying while Chromium's helpers finish writing.
func removeAll(t *testing.T, dir string) {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("remove browser directory: %v", err)
}

// acceptDialogs accepts every confirmation the page asks (hx-confirm).
func acceptDialogs(t *testing.T, ctx context.Context) {
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("accept dialog: %v", err)
			}
		}
	}()
}

// step runs the actions, failing the test with what the step was.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// seeText fails the test unless the first element matching css comes to
// have text holding want within a few seconds: after a click, htmx may swap
// the element in only after the old one was already visible.
func seeText(t *testing.T, ctx context.Context, css, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(css)))
		if err == nil && strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: text %q (%v), want it to hold %q", css, got, err, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
