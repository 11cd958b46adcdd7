// Replaced by the cloud service (issue 6).
process.stdout.write('Pipdesk cloud: not built yet.\n');
