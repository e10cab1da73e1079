package azuresim

import "time"

// OData types of a plugin's complex properties.
const (
	pluginAuthType    = "microsoft.graph.securityCopilot.pluginAuth"
	pluginSettingType = "microsoft.graph.securityCopilot.pluginSetting"
)

// pluginSettingProps are a setting's properties in wire order.
var pluginSettingProps = []string{"name", "label", "description", "settingValue", "isRequired", "value"}

// pluginType follows the plugin resource: $filter works on name (eq,
// contains), displayName (eq) and isEnabled (eq), and on nothing else.
func pluginType() *entityType {
	return &entityType{
		name: "microsoft.graph.securityCopilot.plugin",
		props: []propDef{
			{name: "name", kind: kindString, filterable: true, filterOps: []string{"Equal", "contains"}},
			{name: "displayName", kind: kindString, filterable: true, filterOps: []string{"Equal"}},
			{name: "description", kind: kindString},
			{name: "category", kind: kindString},
			{name: "catalogScope", kind: kindString},
			{name: "previewState", kind: kindString},
			{name: "isEnabled", kind: kindBool, filterable: true, filterOps: []string{"Equal"}},
			{name: "authorization", kind: kindComplex, complexType: pluginAuthType, subProps: []string{"authType"}},
			{name: "settings", kind: kindComplex, complexType: pluginSettingType, subProps: pluginSettingProps},
			{name: "supportedAuthTypes", kind: kindString},
		},
	}
}

func (p *Plugin) key() pageKey               { return pageKey{id: p.Name} }
func (p *Plugin) timeValue(string) time.Time { return time.Time{} }

func (p *Plugin) stringValue(prop string) (string, bool) {
	switch prop {
	case "name":
		return p.Name, true
	case "displayName":
		return p.DisplayName, true
	case "description":
		return p.Description, true
	case "category":
		return p.Category, true
	case "catalogScope":
		return p.CatalogScope, true
	case "previewState":
		return p.PreviewState, true
	}
	return "", false // supportedAuthTypes: "currently unsupported"
}

func (p *Plugin) boolValue(prop string) bool { return prop == "isEnabled" && p.IsEnabled }

func (p *Plugin) value(d propDef) any {
	switch d.name {
	case "isEnabled":
		return p.IsEnabled
	case "authorization":
		if p.AuthType == "" {
			return nil
		}
		return complexValue(pluginAuthType, []string{"authType"}, d.picked, map[string]any{"authType": p.AuthType})
	case "settings":
		out := make([]jsonObject, len(p.Settings))
		for i, s := range p.Settings {
			out[i] = complexValue(pluginSettingType, pluginSettingProps, d.picked, map[string]any{
				"name": s.Name, "label": s.Label, "description": s.Description,
				"settingValue": s.Type, "isRequired": s.Required, "value": s.Value,
			})
		}
		return out
	}
	return nil
}

// complexValue writes a complex value: whole with its type annotation, or
// only the picked properties of a path $select.
func complexValue(typeName string, all, picked []string, values map[string]any) jsonObject {
	obj := make(jsonObject, 0, len(all)+1)
	if picked == nil {
		obj = append(obj, jsonField{"@odata.type", "#" + typeName})
		picked = all
	}
	for _, sub := range picked {
		obj = append(obj, jsonField{sub, values[sub]})
	}
	return obj
}
