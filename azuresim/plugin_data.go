package azuresim

import (
	"fmt"
	mrand "math/rand/v2"
)

// samplePlugins are plugins as a tenant's Security Copilot lists them:
// Microsoft's own, a Microsoft connector, the web, and custom ones, one of
// them holding a secret setting.
var samplePlugins = []Plugin{
	{Name: "Entra", DisplayName: "Microsoft Entra", Description: "Identity insights.", Category: "microsoft", CatalogScope: "global", PreviewState: "ga", IsEnabled: true},
	{Name: "DefenderXDR", DisplayName: "Microsoft Defender XDR", Description: "Incidents and hunting.", Category: "microsoft", CatalogScope: "global", PreviewState: "ga", IsEnabled: true},
	{Name: "Intune", DisplayName: "Microsoft Intune", Description: "Device management.", Category: "microsoft", CatalogScope: "global", PreviewState: "ga", IsEnabled: false},
	{Name: "Purview", DisplayName: "Microsoft Purview", Description: "Data security.", Category: "microsoft", CatalogScope: "global", PreviewState: "public", IsEnabled: true},
	{Name: "ServiceNowConnector", DisplayName: "ServiceNow", Description: "Tickets.", Category: "microsoftConnectors", CatalogScope: "geoGlobal", PreviewState: "public", IsEnabled: false},
	{Name: "Web", DisplayName: "Website", Description: "Public web content.", Category: "web", CatalogScope: "global", PreviewState: "ga", IsEnabled: false},
	{Name: "ThreatFeedCustom", DisplayName: "Threat feed (custom)", Description: "A vendor's threat intelligence.", Category: "plugin", CatalogScope: "tenant", PreviewState: "private", IsEnabled: true,
		AuthType: "aPIKey", Settings: []PluginSetting{
			{Name: "endpoint", Label: "Endpoint", Type: "string", Value: "https://feed.invalid/api", Required: true},
			{Name: "apiKey", Label: "API key", Type: "secretString", Value: "sim-secret-api-key-do-not-export", Required: true},
		}},
	{Name: "KQLBook", DisplayName: "KQL promptbook helpers", Description: "Uploaded by a user.", Category: "other", CatalogScope: "user", PreviewState: "private", IsEnabled: true},
}

// pluginCategories are the categories the metadata lists, bar
// unknownFutureValue.
var pluginCategories = []string{"hidden", "microsoft", "microsoftConnectors", "other", "web", "testing", "plugin"}

// GeneratePlugins returns n plugins of a workspace: the sample ones first,
// then plugins of every category, about half of them enabled, a few with
// a secretString setting. The same seed gives the same plugins.
func GeneratePlugins(seed int64, n int) []Plugin {
	rng := mrand.New(mrand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	out := make([]Plugin, 0, n)
	for i := 0; i < n && i < len(samplePlugins); i++ {
		p := samplePlugins[i]
		p.Settings = append([]PluginSetting(nil), p.Settings...)
		out = append(out, p)
	}
	scopes := []string{"none", "user", "workspace", "tenant", "global", "geoGlobal", "userWorkspace"}
	previews := []string{"ga", "public", "private"}
	for i := len(out); i < n; i++ {
		p := Plugin{
			Name:         fmt.Sprintf("Plugin%04d", i),
			DisplayName:  fmt.Sprintf("Plugin %d", i),
			Category:     pluginCategories[rng.IntN(len(pluginCategories))],
			CatalogScope: scopes[rng.IntN(len(scopes))],
			PreviewState: previews[rng.IntN(len(previews))],
			IsEnabled:    rng.IntN(2) == 0,
		}
		if rng.IntN(5) == 0 {
			p.Settings = []PluginSetting{{Name: "token", Label: "Token", Type: "secretString", Value: fmt.Sprintf("sim-secret-%d", rng.Uint64()), Required: true}}
		}
		out = append(out, p)
	}
	return out
}
