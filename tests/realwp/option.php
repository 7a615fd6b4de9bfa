<?php
// Changes one option of the test site, as its owner would in wp-admin.
// Usage: php option.php <docroot> <home> <name> <JSON value>
[$script, $docroot, $home, $name, $value] = $argv;
define('ABSPATH', rtrim($docroot, '/') . '/');
$_SERVER['HTTP_HOST'] = parse_url($home, PHP_URL_HOST) . ':' . parse_url($home, PHP_URL_PORT);
$_SERVER['REQUEST_URI'] = '/';
require ABSPATH . 'wp-load.php';
update_option($name, json_decode($value, true, 512, JSON_THROW_ON_ERROR));
if ($name === 'permalink_structure') {
    flush_rewrite_rules(false);
}
