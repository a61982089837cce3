var text = loadTextContent('data.txt')
var config = loadJsonContent('data.json')
var part = loadJsonContent('data.json', '$.nested.value')

resource deploy 'Microsoft.Resources/deployments@2022-09-01' = {
  name: 'nested'
  properties: {
    mode: 'Incremental'
    template: loadJsonContent('data.json')
    parameters: {
      note: {
        value: loadTextContent('data.txt')
      }
    }
  }
}

output b64 string = loadFileAsBase64('data.txt')
output absent string = loadTextContent('absent.txt')
