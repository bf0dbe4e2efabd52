"""Loading the user's YAML files (eval files, rubrics) into typed, validated specs."""
