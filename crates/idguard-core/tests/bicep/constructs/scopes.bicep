targetScope = 'subscription'

param rgName string

resource rg 'Microsoft.Resources/resourceGroups@2023-07-01' existing = {
  name: rgName
}

resource inRg 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  scope: resourceGroup('other-rg')
  name: 'id-a'
}

resource inSubRg 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  scope: resourceGroup('00000000-0000-0000-0000-000000000000', 'rg-b')
  name: 'id-b'
}

resource viaSymbol 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  scope: rg
  name: 'id-c'
}

resource inSub 'Microsoft.Authorization/roleDefinitions@2022-04-01' existing = {
  scope: subscription('11111111-1111-1111-1111-111111111111')
  name: 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
}

resource inMg 'Microsoft.Authorization/policyDefinitions@2023-04-01' existing = {
  scope: managementGroup('mg-1')
  name: 'pd'
}

resource atTenant 'Microsoft.Management/managementGroups@2023-04-01' = {
  scope: tenant()
  name: 'mg-new'
}

var rgScope = resourceGroup('var-rg')

resource viaVar 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  scope: rgScope
  name: 'id-d'
}

output ids array = [
  inRg.id
  inSubRg.id
  viaSymbol.id
  inSub.id
  inMg.id
  atTenant.id
  viaVar.id
  inRg.properties.principalId
]
