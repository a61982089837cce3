targetScope = 'subscription'

metadata owner = 'platform'

@description('The environment.')
@allowed([
  'dev'
  'prod'
])
param env string = 'dev'

@secure()
param password string

@secure()
param secrets object

@minLength(3)
@maxLength(24)
param name string

@minValue(1)
@maxValue(10)
param count int = 2

@metadata({ source: 'team' })
@sys.description('Tags.')
param tags object = {}

param maybe string?

param tier 'Basic' | 'Standard' = 'Basic'

type config = {
  size: int
  @sealed()
  extra: object?
}

@sealed()
type closed = {
  a: string
}

param settings config

param list string[] = ['a', 'b']

param flag bool = !empty(list)

param negative int = -5

@secure()
param derived resourceInput<'Microsoft.ApiManagement/service/loggers@2024-05-01'>.properties.credentials?

@secure()
param secureConfig config
