package graphclient

// PluginCategory is a plugin's category, one of the members the Graph
// metadata lists; any other value maps to CategoryUnknownFutureValue.
type PluginCategory string

// The plugin categories, in the metadata's order.
const (
	CategoryHidden              PluginCategory = "hidden"
	CategoryMicrosoft           PluginCategory = "microsoft"
	CategoryMicrosoftConnectors PluginCategory = "microsoftConnectors"
	CategoryOther               PluginCategory = "other"
	CategoryWeb                 PluginCategory = "web"
	CategoryTesting             PluginCategory = "testing"
	CategoryPlugin              PluginCategory = "plugin"
	CategoryUnknownFutureValue  PluginCategory = "unknownFutureValue"
)

// PluginCategories returns every category the metadata lists, in its order.
func PluginCategories() []PluginCategory {
	return []PluginCategory{CategoryHidden, CategoryMicrosoft, CategoryMicrosoftConnectors, CategoryOther,
		CategoryWeb, CategoryTesting, CategoryPlugin, CategoryUnknownFutureValue}
}

// ParsePluginCategory maps a wire value to a listed category.
func ParsePluginCategory(s string) PluginCategory {
	return documented(s, PluginCategories(), CategoryUnknownFutureValue)
}

// PluginCatalogScope is where a plugin is available.
type PluginCatalogScope string

// ScopeUnknownFutureValue is the catalog scope of any value the metadata
// does not list.
const ScopeUnknownFutureValue PluginCatalogScope = "unknownFutureValue"

// PluginCatalogScopes returns every catalog scope the metadata lists, in
// its order.
func PluginCatalogScopes() []PluginCatalogScope {
	return []PluginCatalogScope{"none", "user", "workspace", "tenant", "global", "geoGlobal", "userWorkspace", ScopeUnknownFutureValue}
}

// ParsePluginCatalogScope maps a wire value to a listed catalog scope.
func ParsePluginCatalogScope(s string) PluginCatalogScope {
	return documented(s, PluginCatalogScopes(), ScopeUnknownFutureValue)
}

// PluginPreviewState is a plugin's availability: generally, in public or
// in private preview.
type PluginPreviewState string

// PreviewUnknownFutureValue is the preview state of any value the
// metadata does not list.
const PreviewUnknownFutureValue PluginPreviewState = "unknownFutureValue"

// PluginPreviewStates returns every preview state the metadata lists, in
// its order.
func PluginPreviewStates() []PluginPreviewState {
	return []PluginPreviewState{"ga", "public", "private", PreviewUnknownFutureValue}
}

// ParsePluginPreviewState maps a wire value to a listed preview state.
func ParsePluginPreviewState(s string) PluginPreviewState {
	return documented(s, PluginPreviewStates(), PreviewUnknownFutureValue)
}
