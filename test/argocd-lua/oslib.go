// The os library a health script gets under Argo CD (util/lua/oslib_safe.go): time and date only,
// reached through require("os"); no global os. Argo CD's file is a fork of gopher-lua's own os
// library cut down to those two functions; here the two are taken from gopher-lua's os module
// itself rather than copied. They differ from Argo CD's fork only at edges our scripts never
// reach (deploy/argocd's scripts use no os at all): gopher-lua's os.time also takes nil and
// numeric strings in its table, and os.date("!...", t) gives UTC where the fork gives local time.
//
// Argo CD's openSafeOs registers its table under lua.TabLibName, not lua.OsLibName; the table
// library is loaded by then, so gopher-lua's RegisterModule hands back that module untouched and
// the call adds nothing: no global os, no table.time. openSafeOs here makes the same call, so that
// a script sees the same globals (checked against Argo CD's own code with
// scripts/argocd-lua.sh --argo-cd, test/argocd-lua/README.md).

package main

import lua "github.com/yuin/gopher-lua"

// safeOsFuncs: os.time and os.date of gopher-lua's os library, as plain Go functions (an
// LGFunction does not belong to the state it was registered in).
var safeOsFuncs = func() map[string]lua.LGFunction {
	scratch := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer scratch.Close()
	if err := scratch.CallByParam(lua.P{Fn: scratch.NewFunction(lua.OpenOs), NRet: 1, Protect: true}); err != nil {
		panic(err)
	}
	module := scratch.CheckTable(-1)
	funcs := map[string]lua.LGFunction{}
	for _, name := range []string{"time", "date"} {
		funcs[name] = module.RawGetString(name).(*lua.LFunction).GFunction
	}
	return funcs
}()

func openSafeOs(l *lua.LState) int {
	l.Push(l.RegisterModule(lua.TabLibName, safeOsFuncs))
	return 1
}

func safeOsLoader(l *lua.LState) int {
	l.Push(l.SetFuncs(l.NewTable(), safeOsFuncs))
	return 1
}
