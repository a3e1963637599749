export { default } from './automation-list';
