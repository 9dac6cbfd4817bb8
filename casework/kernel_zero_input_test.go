package casework_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/grassroots-policing/grassroots/casework"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sentinels are the error kinds a rejection may carry.
var sentinels = []error{casework.ErrNotFound, casework.ErrConflict, casework.ErrInvalid, casework.ErrInvalidTransition,
	casework.ErrForbidden, casework.ErrPreconditionRequired}

// TestKernelMethodsRejectZeroInput calls every exported method of Kernel
// that returns an error with zero values and nil for every argument (a
// background context aside), once as nobody and once as an officer and an
// admin of the fixture: no call panics, and every error is one of the
// sentinels. Methods that return no error are called too, for panics.
func TestKernelMethodsRejectZeroInput(t *testing.T) {
	t.Parallel()
	errType := reflect.TypeFor[error]()
	ctxType := reflect.TypeFor[context.Context]()
	actorType := reflect.TypeFor[casework.Actor]()
	for name, open := range kernelBackends {
		if name == "postgres" {
			continue // the store's answers are the same; the kernel's checks are what is tested
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newKernelWorld(t, open(t), nil)
			kv := reflect.ValueOf(w.k)
			kt := kv.Type()
			for _, actor := range []casework.Actor{{}, w.officer, w.admin, w.supervisor} {
				for i := range kt.NumMethod() {
					m := kt.Method(i)
					if skipZeroInput[m.Name] {
						continue
					}
					ft := m.Type
					args := []reflect.Value{kv}
					for j := 1; j < ft.NumIn(); j++ {
						in := ft.In(j)
						switch {
						case in == ctxType:
							args = append(args, reflect.ValueOf(context.Background()))
						case in == actorType:
							args = append(args, reflect.ValueOf(actor))
						default:
							args = append(args, reflect.Zero(in))
						}
					}
					call := fmt.Sprintf("%s as %q", m.Name, actor.StaffID)
					out, panicked := callRecovering(m.Func, args, ft.IsVariadic())
					if !assert.Nil(t, panicked, "%s panics", call) {
						continue
					}
					if n := ft.NumOut(); n > 0 && ft.Out(n-1) == errType {
						err, _ := out[n-1].Interface().(error)
						if err == nil {
							continue // some zero inputs are fine (an empty list, a no-op)
						}
						assert.True(t, isSentinel(err), "%s: %v is not a sentinel", call, err)
						for k := 0; k < n-1; k++ {
							assert.True(t, out[k].IsZero(), "%s: result %d is not the zero value with an error", call, k)
						}
					}
				}
			}
		})
	}
}

// skipZeroInput are the methods a zero call would legitimately change the
// fixture with, or that take no input worth checking.
var skipZeroInput = map[string]bool{}

// callRecovering calls fn, turning a panic into its value so that every
// method is reported in one run.
func callRecovering(fn reflect.Value, args []reflect.Value, variadic bool) (out []reflect.Value, panicked any) {
	defer func() { panicked = recover() }()
	if variadic {
		return fn.CallSlice(args), nil
	}
	return fn.Call(args), nil
}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// TestKernelRejectsInputItCannotHold covers the inputs a zero call does not
// reach: a valid upload with no reader, a hand-off receiver without a
// create function, and a record holding a time JSON cannot encode.
func TestKernelRejectsInputItCannotHold(t *testing.T) {
	t.Parallel()
	w := newKernelWorld(t, kernelBackends["memory"](t), nil)
	ctx := context.Background()
	beyond := struct {
		At time.Time `json:"at"`
	}{At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name  string
		call  func() (any, error)
		field string
	}{
		{"attachment without a reader", func() (any, error) {
			return w.k.PutAttachment(ctx, w.officer, "a.txt", "text/plain", nil)
		}, "r"},
		{"receiver without create", func() (any, error) {
			return w.k.ReceiveOnce(ctx, casework.Source{Kind: "k", ID: "1", Step: "s"}, "t", nil)
		}, "create"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got any
			var err error
			require.NotPanics(t, func() { got, err = tc.call() })
			requireInvalidField(t, err, tc.field)
			require.True(t, reflect.ValueOf(got).IsZero(), "the zero value with the error")
		})
	}
	rec, err := w.k.AuditRecord(ctx, w.officer, "x.write", "x", "1", nil, beyond)
	require.ErrorIs(t, err, casework.ErrInvalid, "a year JSON cannot hold is invalid input")
	require.Zero(t, rec)
	_, err = w.k.NewOutboxMessage("k", casework.Source{Kind: "k", ID: "1"}, beyond)
	require.ErrorIs(t, err, casework.ErrInvalid)
}
