package web_test

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"realty"
	"realty/internal/crm"
	"realty/internal/fixture/fixturetest"
	"realty/internal/messaging"
	"realty/internal/postgres"
)

func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser test needs Chromium at %s: install it with `apt-get install -y chromium` (%v)", chromiumPath, err)
	}
}

// TestBrowserCRM drives Chromium as an agent: a card moved on the stage
// board with its Move control (scripts disabled), and another dragged to a column, are in
// their new columns after a reload; an interaction added on the client
// page shows in its timeline; the bell's count drops when a notification
// is opened and goes when all are marked read. No page logs an error or
// breaks the Content-Security-Policy.
func TestBrowserCRM(t *testing.T) {
	// Not parallel, like TestBrowserPasswordReset: the other browser tests
	// have tight limits, and two more Chromiums beside them on two cores
	// would eat into those.
	needChromium(t)
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent := acme.Personas["agent"]
	ctx := context.Background()
	moved := mustCreate(t, h, agent.Actor, "Hana")
	dragged := mustCreate(t, h, agent.Actor, "Ivo")
	b := startBrowserFor(t, 60*time.Second)
	csp := watchCSP(t, b)
	signIn(t, b, h.url, agent.Email)

	csp.at("stage board")
	step(t, b, "open the stage board", chromedp.Click(chromedp.CSS(`nav a[href="/clients"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#board-view`)), chromedp.Click(chromedp.CSS(`#board-view`)),
		chromedp.WaitVisible(chromedp.CSS(`#board`)))
	card := `.client-card[data-id="` + moved.ID.String() + `"]`
	if _, err := chromedp.Call(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	step(t, b, "move a card with its control, without JavaScript",
		chromedp.Navigate(h.url+"/clients?view=board"), chromedp.WaitVisible(chromedp.CSS(`#board`)),
		chromedp.SetValue(chromedp.CSS(card+` select[name="stage"]`), "prospect"),
		chromedp.Click(chromedp.CSS(card+` button`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash .notice`)))
	if loaded, err := chromedp.Run(b, chromedp.Evaluate[bool](`typeof window.htmx !== "undefined"`)); err != nil || loaded {
		t.Fatalf("scripts ran on the page though disabled (%v)", err)
	}
	if _, err := chromedp.Call(b, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false}); err != nil {
		t.Fatal(err)
	}
	step(t, b, "open the board again", chromedp.Navigate(h.url+"/clients?view=board"), chromedp.WaitVisible(chromedp.CSS(`#board`)))
	inColumn(t, b, moved.ID, "prospect")

	step(t, b, "drag a card to the active column", chromedp.Evaluate[chromedp.Void](`(() => {
		const card = document.querySelector('.client-card[data-id="`+dragged.ID.String()+`"]');
		const column = document.querySelector('.board-column[data-stage="active"]');
		const dt = new DataTransfer();
		card.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
		column.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
		column.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
	})()`), chromedp.WaitVisible(chromedp.CSS(`#flash .notice`)))
	step(t, b, "open the board again", chromedp.Navigate(h.url+"/clients?view=board"), chromedp.WaitVisible(chromedp.CSS(`#board`)))
	inColumn(t, b, dragged.ID, "active")
	if c, err := h.env.CRM.Get(ctx, agent.Actor, dragged.ID); err != nil || c.Stage != "active" {
		t.Errorf("dragged client: %s %v, want active", c.Stage, err)
	}

	csp.at("client page")
	step(t, b, "add an interaction",
		chromedp.Click(chromedp.CSS(card+` a`)),
		chromedp.WaitVisible(chromedp.CSS(`#interaction`)),
		chromedp.SetValue(chromedp.CSS(`#interaction select[name="type"]`), "meeting"),
		chromedp.SendKeys(chromedp.CSS(`#interaction input[name="outcome"]`), "toured three condos"),
		chromedp.Click(chromedp.CSS(`#interaction button`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash .notice`)))
	seeText(t, b, `#timeline-items li[data-kind="interaction"]`, "toured three condos")

	bell(t, b, h, acme.Organization.ID, agent.MemberID, moved.ID, csp)
	step(t, b, "the board at phone width", chromedp.EmulateViewport(375, 800),
		chromedp.Navigate(h.url+"/clients?view=board"), chromedp.WaitVisible(chromedp.CSS(`#board`)))
	widths, err := chromedp.Run(b, chromedp.Evaluate[[]int]("[document.documentElement.scrollWidth, window.innerWidth]"))
	if err != nil || widths[0] > widths[1] {
		t.Errorf("the board scrolls the page sideways at 375 px: %v %v", widths, err)
	}
	csp.check(t)
}

// bell makes two notifications and checks the count drops as they are read.
func bell(t *testing.T, b context.Context, h *harness, orgID, member, client realty.ID, csp *cspWatch) {
	t.Helper()
	for _, name := range []string{"Hana", "Jo"} {
		if _, err := h.env.Messaging.Notify(context.Background(), realty.System(orgID), messaging.Notice{Recipient: member,
			Kind: "lead.assigned", Payload: map[string]any{"name": name, "client_id": client.String()}}); err != nil {
			t.Fatal(err)
		}
	}
	csp.at("notifications")
	step(t, b, "see the bell", chromedp.Navigate(h.url+"/"), chromedp.WaitVisible(chromedp.CSS(`#bell-count`)))
	seeText(t, b, `#bell-count`, "2")
	step(t, b, "open a notification", chromedp.Click(chromedp.CSS(`#bell`)),
		chromedp.WaitVisible(chromedp.CSS(`#notifications li.unread button`)),
		chromedp.Click(chromedp.CSS(`#notifications li.unread button`)),
		chromedp.WaitVisible(chromedp.CSS(`#client-name`)))
	seeText(t, b, `#bell-count`, "1")
	step(t, b, "mark all read", chromedp.Click(chromedp.CSS(`#bell`)),
		chromedp.WaitVisible(chromedp.CSS(`#read-all button`)), chromedp.Click(chromedp.CSS(`#read-all button`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash .notice`)), chromedp.WaitNotPresent(chromedp.CSS(`#bell-count`)))
}

func mustCreate(t *testing.T, h *harness, actor realty.Actor, name string) crm.Client {
	t.Helper()
	c, err := h.env.CRM.Create(context.Background(), actor, crm.Input{FirstName: name})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// inColumn fails unless the board shows the client's card in stage's column.
func inColumn(t *testing.T, b context.Context, id realty.ID, stage string) {
	t.Helper()
	got, err := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector('.client-card[data-id="`+id.String()+`"]').closest('.board-column').dataset.stage`))
	if err != nil || got != stage {
		t.Fatalf("card %s is in column %q (%v), want %s", id, got, err, stage)
	}
}

// TestBrowserPasswordReset: someone who forgot their password asks for a
// link on the sign-in page, opens the link the e-mail carries (read from
// the outbox, as the worker queued it), sets a new password, signs in with
// it; the link then works no more.
func TestBrowserPasswordReset(t *testing.T) {
	needChromium(t)
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	email := acme.Personas["agent"].Email
	runResetWorker(t, h)
	b := startBrowserFor(t, 60*time.Second)
	csp := watchCSP(t, b)

	csp.at("forgot password")
	step(t, b, "ask for a link",
		chromedp.Navigate(h.url+"/login"), chromedp.Click(chromedp.CSS(`#forgot`)),
		chromedp.WaitVisible(chromedp.CSS(`#forgot-form`)),
		chromedp.SendKeys(chromedp.CSS(`#forgot-form input[name="email"]`), email),
		chromedp.Click(chromedp.CSS(`#forgot-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash .notice`)))
	seeText(t, b, `#flash .notice`, "If an account has this address")
	link := resetLink(t, h, email)

	csp.at("reset password")
	const fresh = "a brand new passphrase 42"
	step(t, b, "choose a new password",
		chromedp.Navigate(h.url+link),
		chromedp.WaitVisible(chromedp.CSS(`#reset-form`)),
		chromedp.SendKeys(chromedp.CSS(`#reset-form input[name="password"]`), fresh),
		chromedp.SendKeys(chromedp.CSS(`#reset-form input[name="confirm"]`), fresh),
		chromedp.Click(chromedp.CSS(`#reset-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#login`)))
	seeText(t, b, `#flash .notice`, "Your password is changed")
	step(t, b, "sign in with it",
		chromedp.SendKeys(chromedp.CSS(`#login input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`#login input[name="password"]`), fresh),
		chromedp.Click(chromedp.CSS(`#login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#greeting`)))
	if r := h.post("/login", url.Values{"email": {email}, "password": {fixturetest.Password}}, nil); r.cookie("realty_session") != nil {
		t.Error("the old password still signs in")
	}

	step(t, b, "open the link again",
		chromedp.Navigate(h.url+link), chromedp.WaitVisible(chromedp.CSS(`#reset-form`)),
		chromedp.SendKeys(chromedp.CSS(`#reset-form input[name="password"]`), "yet another passphrase 7"),
		chromedp.SendKeys(chromedp.CSS(`#reset-form input[name="confirm"]`), "yet another passphrase 7"),
		chromedp.Click(chromedp.CSS(`#reset-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#link-refused`)))
	csp.check(t)
}

// runResetWorker runs the job that answers reset requests, as serve does.
func runResetWorker(t *testing.T, h *harness) {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, &messaging.PasswordResetWorker{Messaging: h.env.Messaging})
	river.AddWorker(workers, &messaging.DeliverWorker{Messaging: h.env.Messaging}) // no mail server: it waits to retry
	client, err := river.NewClient(riverpgxv5.New(h.env.Pool), &river.Config{Schema: postgres.RiverSchema, Logger: slog.New(slog.DiscardHandler),
		Queues: map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 1}}, Workers: workers, FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Stop(context.Background()) })
}

// resetLink waits for the reset e-mail to email in the outbox and returns
// its link's path and query.
func resetLink(t *testing.T, h *harness, email string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var link string
		err := h.env.Pool.QueryRow(context.Background(), `SELECT data->>'link' FROM messaging.account_deliveries
			WHERE recipient = $1 AND kind = 'account.password_reset'`, email).Scan(&link)
		if err == nil {
			u, perr := url.Parse(link)
			if perr != nil || u.Path != "/reset-password" || !strings.HasPrefix(u.RawQuery, "token=") {
				t.Fatalf("the e-mailed link %q is not the reset page's", link)
			}
			return u.RequestURI()
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reset e-mail in the outbox: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
