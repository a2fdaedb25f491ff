package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"realty"
	"realty/internal/deal"
)

// TestBrowserDealBoard drives Chromium as an agent on the pipeline: a card
// dragged to the next column moves (and stays there after a reload); a
// card dragged to a column the stage machine does not allow stays put and
// the board says why. No page breaks the Content-Security-Policy.
func TestBrowserDealBoard(t *testing.T) {
	// Not parallel, like the other browser tests (two cores).
	needChromium(t)
	h := newHarness(t)
	acme := h.env.Organization(t, "acme")
	agent := acme.Personas["agent"]
	moved := h.env.OpenDeal(t, acme, "Drag me")
	refused := h.env.OpenDeal(t, acme, "Too early to close")
	b := startBrowserFor(t, 60*time.Second)
	csp := watchCSP(t, b)
	signIn(t, b, h.url, agent.Email)

	csp.at("pipeline")
	step(t, b, "open the pipeline", chromedp.Click(chromedp.CSS(`nav a[href="/deals"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#deal-board`)))
	step(t, b, "drag a card to the active column", dragDeal(moved.ID, deal.Active), chromedp.WaitVisible(chromedp.CSS(`#flash .notice`)))
	step(t, b, "open the pipeline again", chromedp.Navigate(h.url+"/deals"), chromedp.WaitVisible(chromedp.CSS(`#deal-board`)))
	dealInColumn(t, b, moved.ID, deal.Active)

	step(t, b, "drag a lead to the closed column", dragDeal(refused.ID, deal.Closed), chromedp.WaitVisible(chromedp.CSS(`#move-refused`)))
	seeText(t, b, `#move-refused`, "may move only to active or withdrawn")
	dealInColumn(t, b, refused.ID, deal.Lead)
	if d, err := h.env.Deal.Get(context.Background(), agent.Actor, refused.ID); err != nil || d.Stage != deal.Lead {
		t.Errorf("refused deal: %s %v, want lead", d.Stage, err)
	}
	csp.check(t)
}

// dragDeal drags the card of deal id onto the column of stage, as a
// person's mouse does (the drag events the board script listens to).
func dragDeal(id realty.ID, stage string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => {
		const card = document.querySelector('.deal-card[data-id="` + id.String() + `"]');
		const column = document.querySelector('#deal-board .board-column[data-stage="` + stage + `"]');
		const dt = new DataTransfer();
		card.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
		column.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
		column.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
	})()`)
}

// dealInColumn fails unless the board shows the deal's card in stage's
// column.
func dealInColumn(t *testing.T, b context.Context, id realty.ID, stage string) {
	t.Helper()
	got, err := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector('.deal-card[data-id="`+id.String()+`"]').closest('.board-column').dataset.stage`))
	if err != nil || got != stage {
		t.Fatalf("deal card %s is in column %q (%v), want %s", id, got, err, stage)
	}
}
