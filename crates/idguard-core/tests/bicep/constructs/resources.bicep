param location string = resourceGroup().location
param names array = ['a', 'b']

resource vnet 'Microsoft.Network/virtualNetworks@2023-04-01' = {
  name: 'vnet'
  location: location
  properties: {
    subnets: [for (n, i) in names: {
      name: n
      properties: {
        addressPrefix: '10.0.${i}.0/24'
      }
    }]
  }

  resource subnet 'subnets' = {
    name: 'default'
  }

  resource peering 'virtualNetworkPeerings@2023-05-01' = {
    name: 'peer'
  }
}

resource sa 'Microsoft.Storage/storageAccounts@2023-01-01' existing = {
  name: 'stexisting'
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-01-01' = {
  parent: sa
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-01-01' = {
  parent: blobs
  name: 'data'
  properties: {
    copy: 'a property named copy'
  }
}

resource cond 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = if (location == 'westeurope') {
  name: 'id-cond'
  location: location
}

@batchSize(2)
resource loop 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = [for (n, i) in names: if (i > 0) {
  name: 'id-${n}-${i}'
  location: location
}]

resource ra 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for i in range(0, 2): {
  name: guid(sa.id, loop[i].id, 'reader')
  scope: sa
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')
    principalId: loop[i].properties.principalId
    principalType: 'ServicePrincipal'
  }
}]

resource site 'Microsoft.Web/sites@2023-01-01' = {
  name: 'app'
  location: location
  identity: {
    type: 'SystemAssigned, UserAssigned'
    userAssignedIdentities: {
      '${cond.id}': {}
    }
  }
  properties: {
    siteConfig: {
      appSettings: [
        {
          name: 'KEY'
          value: sa.listKeys().keys[0].value
        }
        {
          name: 'PRINCIPAL'
          value: site.identity.principalId
        }
      ]
    }
  }
}

output ids array = [
  vnet.id
  vnet::subnet.id
  vnet::peering.name
  container.id
  container.name
  container.type
  container.apiVersion
  sa.properties.primaryEndpoints
  cond.?properties.?principalId
  loop[1].name
]
