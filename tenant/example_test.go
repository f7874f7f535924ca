package tenant_test

import (
	"fmt"

	"github.com/heraldhq/herald/tenant"
)

func ExampleQualify() {
	fmt.Println(tenant.Qualify("shop", "acct-1"))
	fmt.Println(tenant.Qualify(tenant.Default, "acct-1"))
	fmt.Println(tenant.Split("shop~acct-1"))
	// Output:
	// shop~acct-1
	// acct-1
	// shop acct-1
}
