// argocd-lua-health runs an Argo CD resource health script the way Argo CD's application
// controller runs one from argocd-cm (resource.customizations.health.<group>_<kind>), and prints
// the result as JSON: {"status": "...", "message": "..."}.
//
//	argocd-lua-health SCRIPT.lua [OBJECT.json]   (the object on stdin without OBJECT.json)
//
// It is Argo CD's wrapper around gopher-lua reproduced, not imported: building
// github.com/argoproj/argo-cd/v3/util/lua takes about 11 minutes and 2.6 GB of module and build
// cache on 2 cores (test/argocd-lua/README.md), this under a minute. What it follows, from
// argo-cd v3.5.8 with the same gopher-lua and gopher-json versions (go.mod):
//   - util/lua/lua.go: runLuaWithResourceActionParameters (the libraries opened, the 1 s
//     timeout, the actionParams and obj globals, decodeValue), ExecuteHealthLua (the returned
//     table through gopher-json into {status, message}, an invalid status made Unknown) and
//     ResourceHealthOverrides.GetResourceHealth (argocd-cm scripts run without useOpenLibs);
//   - util/lua/oslib_safe.go: oslib.go here (gopher-lua's own os.time and os.date);
//   - gitops-engine/pkg/health/health.go: GetResourceHealth (an object being deleted is
//     Progressing "Pending deletion" before any script; a script's error is Unknown).
//
// scripts/argocd-lua.sh --argo-cd builds the same command over Argo CD's own code instead, to
// check this one against it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"time"

	lua "github.com/yuin/gopher-lua"
	luajson "layeh.com/gopher-json"
)

// healthStatus is gitops-engine's health.HealthStatus.
type healthStatus struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
}

const hookFinalizer = "argocd.argoproj.io/hook-finalizer"

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: argocd-lua-health SCRIPT.lua [OBJECT.json]  (the object on stdin without OBJECT.json)")
		os.Exit(2)
	}
	script, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(2, err)
	}
	var in []byte
	if len(os.Args) == 3 {
		in, err = os.ReadFile(os.Args[2])
	} else {
		in, err = io.ReadAll(os.Stdin)
	}
	if err != nil {
		fail(2, err)
	}
	obj, err := decodeObject(in)
	if err != nil {
		fail(2, err)
	}
	hs, err := resourceHealth(obj, string(script))
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(hs)
	fmt.Print(out.String())
	if err != nil {
		// Argo CD shows the Unknown status and logs the error; here the caller sees both.
		fail(1, err)
	}
}

func fail(code int, err error) {
	fmt.Fprintln(os.Stderr, "argocd-lua-health:", err)
	os.Exit(code)
}

// decodeObject reads the object. Its numbers are all float64 here, int64 or float64 in Argo CD
// (unstructured.Unstructured's UnmarshalJSON); decodeValue makes either the same Lua number.
func decodeObject(in []byte) (map[string]any, error) {
	var obj map[string]any
	if err := json.Unmarshal(in, &obj); err != nil {
		return nil, fmt.Errorf("the object is not a JSON object: %w", err)
	}
	if obj == nil {
		return nil, errors.New("the object is null")
	}
	if _, ok := obj["kind"].(string); !ok {
		return nil, errors.New("the object has no kind")
	}
	return obj, nil
}

// resourceHealth is gitops-engine's health.GetResourceHealth with the script as the override.
func resourceHealth(obj map[string]any, script string) (*healthStatus, error) {
	if meta, ok := obj["metadata"].(map[string]any); ok && meta["deletionTimestamp"] != nil && !hasHookFinalizer(meta) {
		return &healthStatus{Status: "Progressing", Message: "Pending deletion"}, nil
	}
	hs, err := executeHealthLua(obj, script)
	if err != nil {
		return &healthStatus{Status: "Unknown", Message: err.Error()}, err
	}
	return hs, nil
}

func hasHookFinalizer(meta map[string]any) bool {
	finalizers, _ := meta["finalizers"].([]any)
	for _, f := range finalizers {
		if f == hookFinalizer {
			return true
		}
	}
	return false
}

// executeHealthLua is util/lua's VM.ExecuteHealthLua with UseOpenLibs false.
func executeHealthLua(obj map[string]any, script string) (*healthStatus, error) {
	l, err := runLua(obj, script)
	if err != nil {
		return nil, err
	}
	returnValue := l.Get(-1)
	switch returnValue.Type() {
	case lua.LTTable:
		jsonBytes, err := luajson.Encode(returnValue)
		if err != nil {
			return nil, err
		}
		hs := &healthStatus{}
		if err := json.Unmarshal(jsonBytes, hs); err != nil {
			// An empty table encodes as [], which Argo CD takes for an empty status.
			typeError := &json.UnmarshalTypeError{Value: "array", Type: reflect.TypeFor[*healthStatus]()}
			if errors.As(err, &typeError) {
				return &healthStatus{}, nil
			}
			return nil, err
		}
		switch hs.Status {
		case "Unknown", "Progressing", "Suspended", "Healthy", "Degraded", "Missing":
			return hs, nil
		}
		return &healthStatus{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
	case lua.LTNil:
		return &healthStatus{}, nil
	}
	return nil, fmt.Errorf("expect %s output from Lua script, not %s", "table", returnValue.Type().String())
}

// runLua is util/lua's VM.runLuaWithResourceActionParameters for a health script: no action
// parameters, no standard libraries but package, base, table and the safe os.
func runLua(obj map[string]any, script string) (*lua.LState, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, pair := range []struct {
		n string
		f lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.OsLibName, openSafeOs},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(pair.f), NRet: 0, Protect: true}, lua.LString(pair.n)); err != nil {
			panic(err)
		}
	}
	l.PreloadModule(lua.OsLibName, safeOsLoader)

	ctx, cancel := context.WithTimeout(context.Background(), 1*time.Second)
	defer cancel()
	l.SetContext(ctx)

	l.SetGlobal("actionParams", l.CreateTable(0, 0))
	l.SetGlobal("obj", decodeValue(l, obj))
	err := l.DoString(script)

	var apiErr *lua.ApiError
	if errors.As(err, &apiErr) && apiErr.Type == lua.ApiErrorRun {
		apiErr.StackTrace = ""
		err = apiErr
	}
	return l, err
}

// decodeValue is util/lua's decodeValue: JSON values to Lua values, int64 and float64 alike to
// numbers; a key with a null value is absent from its table.
func decodeValue(l *lua.LState, value any) lua.LValue {
	switch converted := value.(type) {
	case bool:
		return lua.LBool(converted)
	case float64:
		return lua.LNumber(converted)
	case string:
		return lua.LString(converted)
	case json.Number:
		return lua.LString(converted)
	case int:
		return lua.LNumber(converted)
	case int32:
		return lua.LNumber(converted)
	case int64:
		return lua.LNumber(converted)
	case []any:
		arr := l.CreateTable(len(converted), 0)
		for _, item := range converted {
			arr.Append(decodeValue(l, item))
		}
		return arr
	case map[string]any:
		tbl := l.CreateTable(0, len(converted))
		for key, item := range converted {
			tbl.RawSetH(lua.LString(key), decodeValue(l, item))
		}
		return tbl
	case nil:
		return lua.LNil
	}
	return lua.LNil
}
