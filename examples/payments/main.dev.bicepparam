using './main.bicep'

param environment = 'dev'
param identityName = 'id-payments'
