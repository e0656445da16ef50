// argocd-lua-health over Argo CD's own code: the same command as ../main.go, with the health
// computed by the calls Argo CD's application controller makes (controller/health.go:
// health.GetResourceHealth with lua.ResourceHealthOverrides, the argocd-cm scripts by group/kind).
// scripts/argocd-lua.sh --argo-cd builds it in a module of its own (the leading _ keeps it out of
// test/argocd-lua's module); it is there to check ../main.go against, not for CI.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/argoproj/argo-cd/gitops-engine/pkg/health"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

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
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(in); err != nil {
		fail(2, err)
	}
	overrides := lua.ResourceHealthOverrides{
		lua.GetConfigMapKey(obj.GroupVersionKind()): v1alpha1.ResourceOverride{HealthLua: string(script)},
	}
	hs, err := health.GetResourceHealth(obj, overrides)
	if hs == nil {
		hs = &health.HealthStatus{}
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(hs)
	fmt.Print(out.String())
	if err != nil {
		fail(1, err)
	}
}

func fail(code int, err error) {
	fmt.Fprintln(os.Stderr, "argocd-lua-health:", err)
	os.Exit(code)
}
