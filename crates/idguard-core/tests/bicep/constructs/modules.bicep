param names array = ['x', 'y']
param useSecret bool = false

resource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: 'kv'
}

module one './mod.bicep' = {
  params: {
    name: 'one'
  }
}

module named './mod.bicep' = {
  name: 'named-deployment'
  scope: resourceGroup('other-rg')
  params: {
    name: one.outputs.principalId
    list: [for n in names: '${n}-item']
    secret: useSecret ? kv.getSecret('s') : 'plain'
    direct: kv.getSecret('s2')
  }
}

module looped './mod.bicep' = [for (n, i) in names: if (i == 0) {
  name: 'loop-${n}'
  params: {
    name: n
  }
}]

module atSub './mod.bicep' = {
  name: 'sub'
  scope: subscription()
  params: {
    name: 'sub'
  }
}

module registry 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.0' = {
  name: 'registry'
  params: {
    name: 'id-registry'
  }
}

output first string = looped[0].outputs.principalId
output moduleName string = named.name
output safe string = one.outputs.?missing ?? ''
