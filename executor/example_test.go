package executor_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	_ "github.com/wowrt/wow/engines/wazero"
	"github.com/wowrt/wow/executor"
	"github.com/wowrt/wow/ow/examples/c"
	"github.com/wowrt/wow/runtime"
)

// Mount the executor in your own HTTP server (here an httptest.Server, with
// a route of its own next to it) and speak OpenWhisk's protocol to it.
func Example_mountHandler() {
	ctx := context.Background()
	rt, err := runtime.Open(ctx, "wazero", runtime.NewConfig())
	if err != nil {
		panic(err)
	}
	defer rt.Close(ctx)
	ex, err := executor.New(executor.Options{Runtime: rt})
	if err != nil {
		panic(err)
	}
	defer ex.Close(ctx)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "ok") })
	mux.Handle("/", ex) // /init, /run, /{id}/init, /{id}/run, /{id}/destroy, /metrics
	srv := httptest.NewServer(mux)
	defer srv.Close()

	post := func(path, body string) {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(b)))
	}
	code := base64.StdEncoding.EncodeToString(c.Module("add"))
	post("/init", `{"value":{"name":"add","binary":true,"code":"`+code+`"}}`)
	post("/run", `{"value":{"param1":20,"param2":22},"deadline":"`+deadlineIn(60)+`"}`)
	post("/init", `{"value":{"name":"add","binary":true,"code":"`+code+`"}}`)
	// Output:
	// 200 {"ok":true}
	// 200 {"result":42}
	// 403 {"error":"Cannot initialize the action more than once."}
}

// Drive init and run in process, without HTTP: the protocol's rules, logs
// and sentinels apply exactly as over HTTP.
func Example_inProcess() {
	ctx := context.Background()
	rt, err := runtime.Open(ctx, "wazero", runtime.NewConfig())
	if err != nil {
		panic(err)
	}
	defer rt.Close(ctx)
	ex, err := executor.New(executor.Options{Runtime: rt})
	if err != nil {
		panic(err)
	}
	defer ex.Close(ctx)

	// Many actions, keyed by ids of your choosing (the multi-action protocol).
	if err := ex.Init(ctx, "adder", &runtime.InitPayload{Name: "add", Code: c.Module("add_reactor")}); err != nil {
		panic(err)
	}
	for i := range 3 {
		res, err := ex.Run(ctx, "adder", &runtime.RunPayload{Params: []byte(fmt.Sprintf(`{"param1":%d,"param2":1}`, i))})
		if err != nil {
			panic(err)
		}
		fmt.Println(string(res.Value))
	}
	_, err = ex.Run(ctx, "nobody", &runtime.RunPayload{})
	fmt.Println(err)
	fmt.Println(ex.Destroy(ctx, "adder"))
	// Output:
	// {"result":1}
	// {"result":2}
	// {"result":3}
	// not found: no action with id "nobody"
	// <nil>
}

// deadlineIn returns OpenWhisk's deadline string, seconds from now.
func deadlineIn(seconds int64) string {
	return fmt.Sprint(time.Now().Add(time.Duration(seconds) * time.Second).UnixMilli())
}
