package demobank

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"guichet/app/web"
	"guichet/db"
	"guichet/modules/partners/demobank/views"
)

// signinView builds the sign-in page for a request.
func (b *Bank) signinView(c echo.Context, r request) (views.SigninView, error) {
	people, err := b.recentCustomers(c.Request().Context())
	if err != nil {
		return views.SigninView{}, err
	}
	v := views.SigninView{
		Chrome: chrome(c, signinPath(r.ID), nil),
		Action: signinPath(r.ID), CancelAction: cancelPath(r.ID),
	}
	for _, p := range people {
		v.Customers = append(v.Customers, views.CustomerOption{
			FieldID: "customer-" + p.ID, ID: p.ID, Name: p.Name, Number: p.ID[:8],
			Checked: r.CustomerID.Valid && r.CustomerID.String == p.ID,
		})
	}
	return v, nil
}

func (b *Bank) signinShow(c echo.Context) error {
	r, ok, err := b.openRequest(c)
	if !ok {
		return err
	}
	v, err := b.signinView(c, r)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.Signin(v))
}

// signinSave takes the customer picked or the new customer's name. Bad
// input shows the page again with the errors and changes nothing.
func (b *Bank) signinSave(c echo.Context) error {
	ctx := c.Request().Context()
	r, ok, err := b.openRequest(c)
	if !ok {
		return err
	}
	v, err := b.signinView(c, r)
	if err != nil {
		return err
	}
	var customerID, name string
	if c.FormValue("choice") == "create" {
		name = strings.TrimSpace(c.FormValue("name"))
		v.Name = c.FormValue("name")
		if key := nameProblem(name); key != "" {
			v.Errs = views.Problems{{Field: "name", Key: key}}
		}
	} else {
		customerID = c.FormValue("customer")
		if !b.knownCustomer(ctx, customerID) {
			v.Errs = pickProblem(v)
		}
	}
	if len(v.Errs) > 0 {
		return render(c, http.StatusUnprocessableEntity, views.Signin(v))
	}
	err = b.chooseCustomer(ctx, r.ID, customerID, name)
	if errors.Is(err, errEnded) {
		return b.ended(c)
	}
	if err != nil {
		return err
	}
	return web.Redirect(c, verifyPath(r.ID))
}

// pickProblem is the error of an empty or unknown choice, on the first
// radio button (or on the name field when nobody is listed).
func pickProblem(v views.SigninView) views.Problems {
	if len(v.Customers) == 0 {
		return views.Problems{{Field: "name", Key: "demobank.signin.name_required"}}
	}
	for i := range v.Customers {
		v.Customers[i].Checked = false
	}
	return views.Problems{{Field: v.Customers[0].FieldID, Key: "demobank.signin.pick_required"}}
}

func (b *Bank) knownCustomer(ctx context.Context, id string) bool {
	if id == "" {
		return false
	}
	_, err := b.customer(ctx, id)
	if err != nil && !errors.Is(err, db.ErrNoRows) {
		b.log.Error("demo bank customer", "err", err)
	}
	return err == nil
}
