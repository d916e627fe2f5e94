"use strict";(()=>{var Vn=Object.defineProperty;var Hn=(e,n,r)=>n in e?Vn(e,n,{enumerable:!0,configurable:!0,writable:!0,value:r}):e[n]=r;var de=(e,n,r)=>Hn(e,typeof n!="symbol"?n+"":n,r);var Me,H,gt,Un,ne,dt,ft,yt,Re,_e,ge,bt,Fe,Le,Oe,qn,Se={},ke=[],Wn=/acit|ex(?:s|g|n|p|$)|rph|grid|ows|mnc|ntw|ine[ch]|zoo|^ord|itera/i,Ce=Array.isArray;function te(e,n){for(var r in n)e[r]=n[r];return e}function Ne(e){e&&e.parentNode&&e.parentNode.removeChild(e)}function Bn(e,n,r){var a,o,i,p={};for(i in n)i=="key"?a=n[i]:i=="ref"?o=n[i]:p[i]=n[i];if(arguments.length>2&&(p.children=arguments.length>3?Me.call(arguments,2):r),typeof e=="function"&&e.defaultProps!=null)for(i in e.defaultProps)p[i]===void 0&&(p[i]=e.defaultProps[i]);return xe(e,p,a,o,null)}function xe(e,n,r,a,o){var i={type:e,props:n,key:r,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:o??++gt,__i:-1,__u:0};return o==null&&H.vnode!=null&&H.vnode(i),i}function Q(e){return e.children}function Ae(e,n){this.props=e,this.context=n}function ie(e,n){if(n==null)return e.__?ie(e.__,e.__i+1):null;for(var r;n<e.__k.length;n++)if((r=e.__k[n])!=null&&r.__e!=null)return r.__e;return typeof e.type=="function"?ie(e):null}function zn(e){if(e.__P&&e.__d){var n=e.__v,r=n.__e,a=[],o=[],i=te({},n);i.__v=n.__v+1,H.vnode&&H.vnode(i),Pe(e.__P,i,n,e.__n,e.__P.namespaceURI,32&n.__u?[r]:null,a,r??ie(n),!!(32&n.__u),o),i.__v=n.__v,i.__.__k[i.__i]=i,xt(a,i,o),n.__e=n.__=null,i.__e!=r&&ht(i)}}function ht(e){if((e=e.__)!=null&&e.__c!=null)return e.__e=e.__c.base=null,e.__k.some(function(n){if(n!=null&&n.__e!=null)return e.__e=e.__c.base=n.__e}),ht(e)}function ct(e){(!e.__d&&(e.__d=!0)&&ne.push(e)&&!Te.__r++||dt!=H.debounceRendering)&&((dt=H.debounceRendering)||ft)(Te)}function Te(){try{for(var e,n=1;ne.length;)ne.length>n&&ne.sort(yt),e=ne.shift(),n=ne.length,zn(e)}finally{ne.length=Te.__r=0}}function vt(e,n,r,a,o,i,p,u,l,d,g){var m,s,b,h,w,c,v=a&&a.__k||ke,_=n.length;for(l=Qn(r,n,v,l,_),m=0;m<_;m++)(b=r.__k[m])!=null&&(s=b.__i!=-1&&v[b.__i]||Se,b.__i=m,c=Pe(e,b,s,o,i,p,u,l,d,g),h=b.__e,b.ref&&s.ref!=b.ref&&(s.ref&&Ve(s.ref,null,b),g.push(b.ref,b.__c||h,b)),w==null&&h!=null&&(w=h),4&b.__u?(l=wt(b,l,e),s.__e&&(s.__e=null)):typeof b.type=="function"&&c!==void 0?l=c:h&&(l=h.nextSibling),b.__u&=-7);return r.__e=w,l}function Qn(e,n,r,a,o){var i,p,u,l,d,g=r.length,m=g,s=0;for(e.__k=new Array(o),i=0;i<o;i++)(p=n[i])!=null&&typeof p!="boolean"&&typeof p!="function"?(typeof p=="string"||typeof p=="number"||typeof p=="bigint"||p.constructor==String?p=e.__k[i]=xe(null,p,null,null,null):Ce(p)?p=e.__k[i]=xe(Q,{children:p},null,null,null):p.constructor===void 0&&p.__b>0?p=e.__k[i]=xe(p.type,p.props,p.key,p.ref?p.ref:null,p.__v):e.__k[i]=p,l=i+s,p.__=e,p.__b=e.__b+1,u=null,(d=p.__i=Kn(p,r,l,m))!=-1&&(m--,(u=r[d])&&(u.__u|=2)),u==null||u.__v==null?(d==-1&&(o>g?s--:o<g&&s++),typeof p.type!="function"&&(p.__u|=4)):d!=l&&(d==l-1?s--:d==l+1?s++:(d>l?s--:s++,p.__u|=4))):e.__k[i]=null;if(m)for(i=0;i<g;i++)(u=r[i])!=null&&(2&u.__u)==0&&(u.__e==a&&(a=ie(u)),St(u,u));return a}function wt(e,n,r){var a,o;if(typeof e.type=="function"){for(a=e.__k,o=0;a&&o<a.length;o++)a[o]&&(a[o].__=e,n=wt(a[o],n,r));return n}e.__e!=n&&(n&&e.type&&!n.parentNode&&(n=ie(e)),n=r.insertBefore(e.__e,n||null));do n=n&&n.nextSibling;while(n!=null&&n.nodeType==8);return n}function Kn(e,n,r,a){var o,i,p,u=e.key,l=e.type,d=n[r],g=d!=null&&(2&d.__u)==0;if(d===null&&u==null||g&&u==d.key&&l==d.type)return r;if(a>(g?1:0)){for(o=r-1,i=r+1;o>=0||i<n.length;)if((d=n[p=o>=0?o--:i++])!=null&&(2&d.__u)==0&&u==d.key&&l==d.type)return p}return-1}function pt(e,n,r){n[0]=="-"?e.setProperty(n,r??""):e[n]=r==null?"":typeof r!="number"||Wn.test(n)?r:r+"px"}function we(e,n,r,a,o){var i,p;e:if(n=="style")if(typeof r=="string")e.style.cssText=r;else{if(typeof a=="string"&&(e.style.cssText=a=""),a)for(n in a)r&&n in r||pt(e.style,n,"");if(r)for(n in r)a&&r[n]==a[n]||pt(e.style,n,r[n])}else if(n[0]=="o"&&n[1]=="n")i=n!=(n=n.replace(bt,"$1")),p=n.toLowerCase(),n=p in e||n=="onFocusOut"||n=="onFocusIn"?p.slice(2):n.slice(2),e.l||(e.l={}),e.l[n+i]=r,r?a?r[ge]=a[ge]:(r[ge]=Fe,e.addEventListener(n,i?Oe:Le,i)):e.removeEventListener(n,i?Oe:Le,i);else{if(o=="http://www.w3.org/2000/svg")n=n.replace(/xlink(H|:h)/,"h").replace(/sName$/,"s");else if(n!="width"&&n!="height"&&n!="href"&&n!="list"&&n!="form"&&n!="tabIndex"&&n!="download"&&n!="rowSpan"&&n!="colSpan"&&n!="role"&&n!="popover"&&n in e)try{e[n]=r??"";break e}catch{}typeof r=="function"||(r==null||r===!1&&n[4]!="-"?e.removeAttribute(n):e.setAttribute(n,n=="popover"&&r==1?"":r))}}function mt(e){return function(n){if(this.l){var r=this.l[n.type+e];if(n[_e]==null)n[_e]=Fe++;else if(n[_e]<r[ge])return;return r(H.event?H.event(n):n)}}}function Pe(e,n,r,a,o,i,p,u,l,d){var g,m,s,b,h,w,c,v,_,y,E,T,k,L,R,f,x=n.type;if(n.constructor!==void 0)return null;128&r.__u&&(l=!!(32&r.__u),i=[u=n.__e=r.__e]),(g=H.__b)&&g(n);e:if(typeof x=="function"){m=p.length;try{if(_=n.props,y=x.prototype&&x.prototype.render,E=(g=x.contextType)&&a[g.__c],T=g?E?E.props.value:g.__:a,r.__c?v=(s=n.__c=r.__c).__=s.__E:(y?n.__c=s=new x(_,T):(n.__c=s=new Ae(_,T),s.constructor=x,s.render=jn),E&&E.sub(s),s.state||(s.state={}),s.__n=a,b=s.__d=!0,s.__h=[],s._sb=[]),y&&s.__s==null&&(s.__s=s.state),y&&x.getDerivedStateFromProps!=null&&(s.__s==s.state&&(s.__s=te({},s.__s)),te(s.__s,x.getDerivedStateFromProps(_,s.__s))),h=s.props,w=s.state,s.__v=n,b)y&&x.getDerivedStateFromProps==null&&s.componentWillMount!=null&&s.componentWillMount(),y&&s.componentDidMount!=null&&s.__h.push(s.componentDidMount);else{if(y&&x.getDerivedStateFromProps==null&&_!==h&&s.componentWillReceiveProps!=null&&s.componentWillReceiveProps(_,T),n.__v==r.__v||!s.__e&&s.shouldComponentUpdate!=null&&s.shouldComponentUpdate(_,s.__s,T)===!1){n.__v!=r.__v&&(s.props=_,s.state=s.__s,s.__d=!1),n.__e=r.__e,n.__k=r.__k,n.__k.some(function(D){D&&(D.__=n)}),ke.push.apply(s.__h,s._sb),s._sb=[],s.__h.length&&p.push(s),u=ie(r);break e}s.componentWillUpdate!=null&&s.componentWillUpdate(_,s.__s,T),y&&s.componentDidUpdate!=null&&s.__h.push(function(){s.componentDidUpdate(h,w,c)})}if(s.context=T,s.props=_,s.__P=e,s.__e=!1,k=H.__r,L=0,y)s.state=s.__s,s.__d=!1,k&&k(n),g=s.render(s.props,s.state,s.context),ke.push.apply(s.__h,s._sb),s._sb=[];else do s.__d=!1,k&&k(n),g=s.render(s.props,s.state,s.context),s.state=s.__s;while(s.__d&&++L<25);s.state=s.__s,s.getChildContext!=null&&(a=te(te({},a),s.getChildContext())),y&&!b&&s.getSnapshotBeforeUpdate!=null&&(c=s.getSnapshotBeforeUpdate(h,w)),R=g!=null&&g.type===Q&&g.key==null?At(g.props.children):g,u=vt(e,Ce(R)?R:[R],n,r,a,o,i,p,u,l,d),s.base=n.__e,n.__u&=-161,s.__h.length&&p.push(s),v&&(s.__E=s.__=null)}catch(D){if(p.length=m,n.__v=null,l||i!=null){if(D.then){for(n.__u|=l?160:128;u&&u.nodeType==8&&u.nextSibling;)u=u.nextSibling;i!=null&&(i[i.indexOf(u)]=null),n.__e=u}else if(i!=null)for(f=i.length;f--;)Ne(i[f])}else n.__e=r.__e;n.__k==null&&(n.__k=r.__k||[]),D.then||_t(n),H.__e(D,n,r)}}else i==null&&n.__v==r.__v?(n.__k=r.__k,n.__e=r.__e):u=n.__e=Gn(r.__e,n,r,a,o,i,p,l,d);return(g=H.diffed)&&g(n),128&n.__u?void 0:u}function _t(e){e&&(e.__c&&(e.__c.__e=!0),e.__k&&e.__k.some(_t))}function xt(e,n,r){for(var a=0;a<r.length;a++)Ve(r[a],r[++a],r[++a]);H.__c&&H.__c(n,e),e.some(function(o){try{e=o.__h,o.__h=[],e.some(function(i){i.call(o)})}catch(i){H.__e(i,o.__v)}})}function At(e){return typeof e!="object"||e==null||e.__b>0?e:Ce(e)?e.map(At):e.constructor!==void 0?null:te({},e)}function Gn(e,n,r,a,o,i,p,u,l){var d,g,m,s,b,h,w,c=r.props||Se,v=n.props,_=n.type;if(_=="svg"?o="http://www.w3.org/2000/svg":_=="math"?o="http://www.w3.org/1998/Math/MathML":o||(o="http://www.w3.org/1999/xhtml"),i!=null){for(d=0;d<i.length;d++)if((b=i[d])&&"setAttribute"in b==!!_&&(_?b.localName==_:b.nodeType==3)){e=b,i[d]=null;break}}if(e==null){if(_==null)return document.createTextNode(v);e=document.createElementNS(o,_,v.is&&v),u&&(H.__m&&H.__m(n,i),u=!1),i=null}if(_==null)c===v||u&&e.data==v||(e.data=v);else{if(i=_=="textarea"&&v.defaultValue!=null?null:i&&Me.call(e.childNodes),!u&&i!=null)for(c={},d=0;d<e.attributes.length;d++)c[(b=e.attributes[d]).name]=b.value;for(d in c)b=c[d],d=="dangerouslySetInnerHTML"?m=b:d=="children"||d in v||d=="value"&&"defaultValue"in v||d=="checked"&&"defaultChecked"in v||we(e,d,null,b,o);for(d in v)b=v[d],d=="children"?s=b:d=="dangerouslySetInnerHTML"?g=b:d=="value"?h=b:d=="checked"?w=b:u&&typeof b!="function"||c[d]===b||we(e,d,b,c[d],o);if(g)u||m&&(g.__html==m.__html||g.__html==e.innerHTML)||(e.innerHTML=g.__html),n.__k=[];else if(m&&(e.innerHTML=""),vt(n.type=="template"?e.content:e,Ce(s)?s:[s],n,r,a,_=="foreignObject"?"http://www.w3.org/1999/xhtml":o,i,p,i?i[0]:r.__k&&ie(r,0),u,l),i!=null)for(d=i.length;d--;)Ne(i[d]);u&&_!="textarea"||(d="value",_=="progress"&&h==null?e.removeAttribute("value"):h!=null&&(h!==e[d]||_=="progress"&&!h||_=="option"&&h!=c[d])&&we(e,d,h,c[d],o),d="checked",w!=null&&w!=e[d]&&we(e,d,w,c[d],o))}return e}function Ve(e,n,r){try{if(typeof e=="function"){var a=typeof e.__u=="function";a&&e.__u(),a&&n==null||(e.__u=e(n))}else e.current=n}catch(o){H.__e(o,r)}}function St(e,n,r){var a,o;if(H.unmount&&H.unmount(e),(a=e.ref)&&(a.current&&a.current!=e.__e||Ve(a,null,n)),(a=e.__c)!=null){if(a.componentWillUnmount)try{a.componentWillUnmount()}catch(i){H.__e(i,n)}a.base=a.__P=a.__n=null}if(a=e.__k)for(o=0;o<a.length;o++)a[o]&&St(a[o],n,r||typeof e.type!="function");r||Ne(e.__e),e.__c=e.__=e.__e=void 0}function jn(e,n,r){return this.constructor(e,r)}function kt(e,n,r){var a,o,i,p;n==document&&(n=document.documentElement),H.__&&H.__(e,n),o=(a=typeof r=="function")?null:r&&r.__k||n.__k,i=[],p=[],Pe(n,e=(!a&&r||n).__k=Bn(Q,null,[e]),o||Se,Se,n.namespaceURI,!a&&r?[r]:o?null:n.firstChild?Me.call(n.childNodes):null,i,!a&&r?r:o?o.__e:n.firstChild,a,p),xt(i,e,p),e.props.children=null}Me=ke.slice,H={__e:function(e,n,r,a){for(var o,i,p;n=n.__;)if((o=n.__c)&&!o.__)try{if((i=o.constructor)&&i.getDerivedStateFromError!=null&&(o.setState(i.getDerivedStateFromError(e)),p=o.__d),o.componentDidCatch!=null&&(o.componentDidCatch(e,a||{}),p=o.__d),p)return o.__E=o}catch(u){e=u}throw e}},gt=0,Un=function(e){return e!=null&&e.constructor===void 0},Ae.prototype.setState=function(e,n){var r;r=this.__s!=null&&this.__s!=this.state?this.__s:this.__s=te({},this.state),typeof e=="function"&&(e=e(te({},r),this.props)),e&&te(r,e),e!=null&&this.__v&&(n&&this._sb.push(n),ct(this))},Ae.prototype.forceUpdate=function(e){this.__v&&(this.__e=!0,e&&this.__h.push(e),ct(this))},Ae.prototype.render=Q,ne=[],ft=typeof Promise=="function"?Promise.prototype.then.bind(Promise.resolve()):setTimeout,yt=function(e,n){return e.__v.__b-n.__v.__b},Te.__r=0,Re=Math.random().toString(8),_e="__d"+Re,ge="__a"+Re,bt=/(PointerCapture)$|Capture$/i,Fe=0,Le=mt(!1),Oe=mt(!0),qn=0;var ce,U,He,Tt,fe=0,Lt=[],q=H,Mt=q.__b,Ct=q.__r,Et=q.diffed,Dt=q.__c,It=q.unmount,$t=q.__;function De(e,n){q.__h&&q.__h(U,e,fe||n),fe=0;var r=U.__H||(U.__H={__:[],__h:[]});return e>=r.__.length&&r.__.push({}),r.__[e]}function S(e){return fe=1,Jn(Ft,e)}function Jn(e,n,r){var a=De(ce++,2);if(a.t=e,!a.__c&&(a.__=[r?r(n):Ft(void 0,n),function(u){var l=a.__N?a.__N[0]:a.__[0],d=a.t(l,u);l!==d&&(a.__N=[d,a.__[1]],a.__c.setState({}))}],a.__c=U,!U.__f)){var o=function(u,l,d){if(!a.__c.__H)return!0;var g=!1,m=a.__c.props!==u;if(a.__c.__H.__.some(function(b){if(b.__N){g=!0;var h=b.__[0];b.__=b.__N,b.__N=void 0,h!==b.__[0]&&(m=!0)}}),i){var s=i.call(this,u,l,d);return g?s||m:s}return!g||m};U.__f=!0;var i=U.shouldComponentUpdate,p=U.componentWillUpdate;U.componentWillUpdate=function(u,l,d){if(this.__e){var g=i;i=void 0,o(u,l,d),i=g}p&&p.call(this,u,l,d)},U.shouldComponentUpdate=o}return a.__N||a.__}function N(e,n){var r=De(ce++,3);!q.__s&&qe(r.__H,n)&&(r.__=e,r.u=n,U.__H.__h.push(r))}function Ie(e,n){var r=De(ce++,4);!q.__s&&qe(r.__H,n)&&(r.__=e,r.u=n,U.__h.push(r))}function K(e){return fe=5,Ot(function(){return{current:e}},[])}function Ot(e,n){var r=De(ce++,7);return qe(r.__H,n)&&(r.__=e(),r.__H=n,r.__h=e),r.__}function ae(e,n){return fe=8,Ot(function(){return e},n)}function Yn(){for(var e;e=Lt.shift();){var n=e.__H;if(e.__P&&n)try{n.__h.some(Ee),n.__h.some(Ue),n.__h=[]}catch(r){n.__h=[],q.__e(r,e.__v)}}}q.__b=function(e){U=null,Mt&&Mt(e)},q.__=function(e,n){e&&n.__k&&n.__k.__m&&(e.__m=n.__k.__m),$t&&$t(e,n)},q.__r=function(e){Ct&&Ct(e),ce=0;var n=(U=e.__c).__H;n&&(He===U?(n.__h=[],U.__h=[],n.__.some(function(r){r.__N&&(r.__=r.__N),r.u=r.__N=void 0})):(n.__h.some(Ee),n.__h.some(Ue),n.__h=[],ce=0)),He=U},q.diffed=function(e){Et&&Et(e);var n=e.__c;n&&n.__H&&(n.__H.__h.length&&(Lt.push(n)!==1&&Tt===q.requestAnimationFrame||((Tt=q.requestAnimationFrame)||Xn)(Yn)),n.__H.__.some(function(r){r.u&&(r.__H=r.u,r.u=void 0)})),He=U=null},q.__c=function(e,n){n.some(function(r){try{r.__h.some(Ee),r.__h=r.__h.filter(function(a){return!a.__||Ue(a)})}catch(a){n.some(function(o){o.__h&&(o.__h=[])}),n=[],q.__e(a,r.__v)}}),Dt&&Dt(e,n)},q.unmount=function(e){It&&It(e);var n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(a){try{Ee(a)}catch(o){n=o}}),r.__H=void 0,n&&q.__e(n,r.__v))};var Rt=typeof requestAnimationFrame=="function";function Xn(e){var n,r=function(){clearTimeout(a),Rt&&cancelAnimationFrame(n),setTimeout(e)},a=setTimeout(r,35);Rt&&(n=requestAnimationFrame(r))}function Ee(e){var n=U,r=e.__c;typeof r=="function"&&(e.__c=void 0,r()),U=n}function Ue(e){var n=U;e.__c=e.__(),U=n}function qe(e,n){return!e||e.length!==n.length||n.some(function(r,a){return r!==e[a]})}function Ft(e,n){return typeof n=="function"?n(e):n}function j(e,n,...r){let a=document.createElement(e);if(n)for(let[o,i]of Object.entries(n))i==null||i===!1||(o==="text"?a.textContent=i:o.startsWith("on")&&typeof i=="function"?a.addEventListener(o.slice(2),i):a.setAttribute(o,i===!0?"":String(i)));return Nt(a,r),a}function Nt(e,n){for(let r of n)r==null||r===!1||(Array.isArray(r)?Nt(e,r):e.append(r))}function We(e,n){if(typeof e!="string"||e.trim()==="")return null;try{let r=new URL(e.trim(),n);return r.protocol==="https:"||r.protocol==="http:"||r.protocol==="mailto:"?r.href:null}catch{return null}}function Be(e,n,r,...a){let o=We(e,n);return o?j("a",{...r,href:o,target:"_blank",rel:"noopener noreferrer nofollow"},...a):j("span",r&&r.class?{class:r.class}:null,...a)}var Zn=4;function Pt(e,n,r){let a=document.createDocumentFragment(),o=String(e??"").replace(/\r\n?/g,`
`).split(`
`),i={sources:Array.isArray(n)?n:[],base:r},p=[],u=null,l=()=>{if(p.length===0)return;let g=j("p");p.forEach((m,s)=>{s>0&&g.append(j("br")),se(g,m,i,0)}),a.append(g),p=[]},d=()=>{u&&a.append(u.el),u=null};for(let g=0;g<o.length;g++){let m=o[g];if(/^\s*```/.test(m)){l(),d();let w=[];for(g++;g<o.length&&!/^\s*```/.test(o[g]);g++)w.push(o[g]);a.append(j("pre",null,j("code",{text:w.join(`
`)})));continue}if(m.trim()===""){l(),d();continue}let s=/^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(m);if(s){l(),d();let w=j("p",{class:"hp-md-h"});se(w,s[1],i,0),a.append(w);continue}let b=/^\s*(\d{1,9})[.)]\s+(.*)$/.exec(m),h=/^\s*[-*+]\s+(.*)$/.exec(m);if(b||h){l();let w=b?"ol":"ul";(!u||u.kind!==w)&&(d(),u={kind:w,el:j(w)},b&&b[1]!=="1"&&u.el.setAttribute("start",String(Number(b[1]))));let c=j("li");se(c,b?b[2]:h[1],i,0),u.el.append(c);continue}if(u&&/^\s{2,}\S/.test(m)){let w=u.el.lastChild;w.append(" "),se(w,m.trim(),i,0);continue}d(),p.push(m.trim())}return l(),d(),a}var er=/`([^`\n]+)`|\*\*(.+?)\*\*|\*([^*\s](?:[^*]*[^*\s])?)\*|\[([^\]\n]+)\]\(\s*([^)\s]+)\s*\)|\[(\d{1,3})\]/g;function se(e,n,r,a){if(a>Zn){e.append(n);return}let o=0;for(let i of n.matchAll(er)){i.index>o&&e.append(n.slice(o,i.index)),o=i.index+i[0].length;let[,p,u,l,d,g,m]=i;if(p!==void 0)e.append(j("code",{text:p}));else if(u!==void 0){let s=j("strong");se(s,u,r,a+1),e.append(s)}else if(l!==void 0){let s=j("em");se(s,l,r,a+1),e.append(s)}else if(d!==void 0){let s=Be(g,r.base,null);se(s,d,r,a+1),e.append(s)}else e.append(tr(Number(m),r))}o<n.length&&e.append(n.slice(o))}function tr(e,n){let r=n.sources[e-1],a=`[${e}]`;if(!r)return a;let o=typeof r.title=="string"?r.title:"",i={class:"hp-cite","aria-label":`Source ${e}: ${o}`,title:o},p=We(r.url,n.base)?Be(r.url,n.base,i,a):j("span",i,a);return j("sup",null,p)}function J(e){return e===null?"null":Array.isArray(e)?"array":typeof e}function re(e){return J(e)==="object"}function nr(e){return Array.isArray(e)&&e.length>0&&e.every(n=>"message"in n)}function ze(e,n){return e.length<124?e:n}var Vt="graphql-transport-ws";var Y=(e=>(e[e.InternalServerError=4500]="InternalServerError",e[e.InternalClientError=4005]="InternalClientError",e[e.BadRequest=4400]="BadRequest",e[e.BadResponse=4004]="BadResponse",e[e.Unauthorized=4401]="Unauthorized",e[e.Forbidden=4403]="Forbidden",e[e.SubprotocolNotAcceptable=4406]="SubprotocolNotAcceptable",e[e.ConnectionInitialisationTimeout=4408]="ConnectionInitialisationTimeout",e[e.ConnectionAcknowledgementTimeout=4504]="ConnectionAcknowledgementTimeout",e[e.SubscriberAlreadyExists=4409]="SubscriberAlreadyExists",e[e.TooManyInitialisationRequests=4429]="TooManyInitialisationRequests",e))(Y||{}),X=(e=>(e.ConnectionInit="connection_init",e.ConnectionAck="connection_ack",e.Ping="ping",e.Pong="pong",e.Subscribe="subscribe",e.Next="next",e.Error="error",e.Complete="complete",e))(X||{});function Ht(e){if(!re(e))throw new Error(`Message is expected to be an object, but got ${J(e)}`);if(!e.type)throw new Error("Message is missing the 'type' property");if(typeof e.type!="string")throw new Error(`Message is expects the 'type' property to be a string, but got ${J(e.type)}`);switch(e.type){case"connection_init":case"connection_ack":case"ping":case"pong":{if(e.payload!=null&&!re(e.payload))throw new Error(`"${e.type}" message expects the 'payload' property to be an object or nullish or missing, but got "${e.payload}"`);break}case"subscribe":{if(typeof e.id!="string")throw new Error(`"${e.type}" message expects the 'id' property to be a string, but got ${J(e.id)}`);if(!e.id)throw new Error(`"${e.type}" message requires a non-empty 'id' property`);if(!re(e.payload))throw new Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${J(e.payload)}`);if(typeof e.payload.query!="string")throw new Error(`"${e.type}" message payload expects the 'query' property to be a string, but got ${J(e.payload.query)}`);if(e.payload.variables!=null&&!re(e.payload.variables))throw new Error(`"${e.type}" message payload expects the 'variables' property to be a an object or nullish or missing, but got ${J(e.payload.variables)}`);if(e.payload.operationName!=null&&J(e.payload.operationName)!=="string")throw new Error(`"${e.type}" message payload expects the 'operationName' property to be a string or nullish or missing, but got ${J(e.payload.operationName)}`);if(e.payload.extensions!=null&&!re(e.payload.extensions))throw new Error(`"${e.type}" message payload expects the 'extensions' property to be a an object or nullish or missing, but got ${J(e.payload.extensions)}`);break}case"next":{if(typeof e.id!="string")throw new Error(`"${e.type}" message expects the 'id' property to be a string, but got ${J(e.id)}`);if(!e.id)throw new Error(`"${e.type}" message requires a non-empty 'id' property`);if(!re(e.payload))throw new Error(`"${e.type}" message expects the 'payload' property to be an object, but got ${J(e.payload)}`);break}case"error":{if(typeof e.id!="string")throw new Error(`"${e.type}" message expects the 'id' property to be a string, but got ${J(e.id)}`);if(!e.id)throw new Error(`"${e.type}" message requires a non-empty 'id' property`);if(!nr(e.payload))throw new Error(`"${e.type}" message expects the 'payload' property to be an array of GraphQL errors, but got ${JSON.stringify(e.payload)}`);break}case"complete":{if(typeof e.id!="string")throw new Error(`"${e.type}" message expects the 'id' property to be a string, but got ${J(e.id)}`);if(!e.id)throw new Error(`"${e.type}" message requires a non-empty 'id' property`);break}default:throw new Error(`Invalid message 'type' property "${e.type}"`)}return e}function Ut(e,n){return Ht(typeof e=="string"?JSON.parse(e,n):e)}function pe(e,n){return Ht(e),JSON.stringify(e,n)}function Ke(e){let{url:n,connectionParams:r,lazy:a=!0,onNonLazyError:o=console.error,lazyCloseTimeout:i=0,keepAlive:p=0,disablePong:u,connectionAckWaitTimeout:l=0,retryAttempts:d=5,retryWait:g=async function(O){let I=Math.pow(2,O);await new Promise(F=>setTimeout(F,I*1e3+Math.floor(Math.random()*2700+300)))},shouldRetry:m=Qe,on:s,webSocketImpl:b,generateID:h=function(){return"xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g,O=>{let I=Math.random()*16|0;return(O=="x"?I:I&3|8).toString(16)})},jsonMessageReplacer:w,jsonMessageReviver:c}=e,v;if(b){if(!ir(b))throw new Error("Invalid WebSocket implementation provided");v=b}else typeof WebSocket<"u"?v=WebSocket:typeof global<"u"?v=global.WebSocket||global.MozWebSocket:typeof window<"u"&&(v=window.WebSocket||window.MozWebSocket);if(!v)throw new Error("WebSocket implementation missing; on Node you can `import WebSocket from 'ws';` and pass `webSocketImpl: WebSocket` to `createClient`");let _=v,y=(()=>{let M=(()=>{let I={};return{on(F,W){return I[F]=W,()=>{delete I[F]}},emit(F){"id"in F&&I[F.id]?.(F)}}})(),O={connecting:s?.connecting?[s.connecting]:[],opened:s?.opened?[s.opened]:[],connected:s?.connected?[s.connected]:[],ping:s?.ping?[s.ping]:[],pong:s?.pong?[s.pong]:[],message:s?.message?[M.emit,s.message]:[M.emit],closed:s?.closed?[s.closed]:[],error:s?.error?[s.error]:[]};return{onMessage:M.on,on(I,F){let W=O[I];return W.push(F),()=>{let B=W.indexOf(F);B>-1&&W.splice(B,1)}},emit(I,...F){for(let W of[...O[I]])W(...F)}}})();function E(M){let O=[y.on("error",I=>{O.forEach(F=>F()),M(I)}),y.on("closed",I=>{O.forEach(F=>F()),M(I)})];return()=>O.forEach(I=>I())}let T,k=0,L,R=!1,f=0,x=!1;async function D(){clearTimeout(L);let[M,O]=await(T??(T=new Promise((W,B)=>(async()=>{if(R){if(await g(f),!k)return T=void 0,B({code:1e3,reason:"All Subscriptions Gone"});f++}y.emit("connecting",R);let P=new _(typeof n=="function"?await n():n,Vt),ee,le;function ve(){isFinite(p)&&p>0&&(clearTimeout(le),le=setTimeout(()=>{P.readyState===_.OPEN&&(P.send(pe({type:X.Ping})),y.emit("ping",!1,void 0))},p))}E(G=>{T=void 0,clearTimeout(ee),clearTimeout(le),B(G),G instanceof ye&&(P.close(4499,"Terminated"),P.onerror=null,P.onclose=null)}),P.onerror=G=>y.emit("error",G),P.onclose=G=>y.emit("closed",G),P.onopen=async()=>{try{y.emit("opened",P);let G=typeof r=="function"?await r():r;if(P.readyState!==_.OPEN)return;P.send(pe(G?{type:X.ConnectionInit,payload:G}:{type:X.ConnectionInit},w)),isFinite(l)&&l>0&&(ee=setTimeout(()=>{P.close(Y.ConnectionAcknowledgementTimeout,"Connection acknowledgement timeout")},l)),ve()}catch(G){y.emit("error",G),P.close(Y.InternalClientError,ze(G instanceof Error?G.message:String(G),"Internal client error"))}};let ue=!1;P.onmessage=({data:G})=>{try{let z=Ut(G,c);if(y.emit("message",z),z.type==="ping"||z.type==="pong"){y.emit(z.type,!0,z.payload),z.type==="pong"?ve():u||(P.send(pe(z.payload?{type:X.Pong,payload:z.payload}:{type:X.Pong},w)),y.emit("pong",!1,z.payload));return}if(ue)return;if(z.type!==X.ConnectionAck)throw new Error(`First message cannot be of type ${z.type}`);clearTimeout(ee),ue=!0,y.emit("connected",P,z.payload,R),R=!1,f=0;let ut=new Promise((zr,Pn)=>E(Pn));ut.catch(()=>{}),W([P,ut])}catch(z){P.onmessage=null,y.emit("error",z),P.close(Y.BadResponse,ze(z instanceof Error?z.message:String(z),"Bad response"))}}})())));M.readyState===_.CLOSING&&await O;let I=()=>{},F=new Promise(W=>I=W);return[M,I,new Promise((W,B)=>{let P=E(B);M.readyState!==_.OPEN&&O.catch(B),F.then(()=>{if(P(),!k){let ee=()=>M.close(1e3,"Normal Closure");isFinite(i)&&i>0?(clearTimeout(L),L=setTimeout(()=>{!k&&M.readyState===_.OPEN&&ee()},i)):ee()}W()})})]}function A(M){if(Qe(M)&&(rr(M.code)||[Y.InternalServerError,Y.InternalClientError,Y.BadRequest,Y.BadResponse,Y.Unauthorized,Y.SubprotocolNotAcceptable,Y.SubscriberAlreadyExists,Y.TooManyInitialisationRequests].includes(M.code)))throw M;if(x)return!1;if(Qe(M)&&M.code===1e3)return k>0;if(!d||f>=d||!m(M))throw M;return R=!0}a||(async()=>{for(k++;;)try{let[,,M]=await D();await M}catch(M){try{if(!A(M))return}catch(O){return o?.(O)}}})();function V(M,O){let I=h(M),F=!1,W=!1,B=()=>{k--,F=!0};return(async()=>{for(k++;;)try{let[P,ee,le]=await D();if(F)return le.catch(()=>{}),ee();let ve=y.onMessage(I,ue=>{switch(ue.type){case X.Next:{O.next(ue.payload);return}case X.Error:{W=!0,F=!0,O.error(ue.payload),B();return}case X.Complete:{F=!0,B();return}}});P.send(pe({id:I,type:X.Subscribe,payload:M},w)),B=()=>{!F&&P.readyState===_.OPEN&&P.send(pe({id:I,type:X.Complete},w)),k--,F=!0,ee()},await le.finally(ve);return}catch(P){if(!A(P))return}})().then(()=>{W||O.complete()}).catch(P=>{O.error(P)}),()=>{F||B()}}return{on:y.on,subscribe:V,iterate(M){let O=[],I={done:!1,error:null,resolve:()=>{}},F=V(M,{next(B){O.push(B),I.resolve()},error(B){I.done=!0,I.error=B,I.resolve()},complete(){I.done=!0,I.resolve()}}),W=(async function*(){for(;;){for(O.length||await new Promise(P=>I.resolve=P);O.length;)yield O.shift();if(I.error)throw I.error;if(I.done)return}})();return W.throw=async B=>(I.done||(I.done=!0,I.error=B,I.resolve()),{done:!0,value:void 0}),W.return=async()=>(F(),{done:!0,value:void 0}),W},async dispose(){if(x=!0,T){let[M]=await T;M.close(1e3,"Normal Closure")}},terminate(){T&&y.emit("closed",new ye)}}}var ye=class extends Error{constructor(){super(...arguments);de(this,"name","TerminatedCloseEvent");de(this,"message","4499: Terminated");de(this,"code",4499);de(this,"reason","Terminated");de(this,"wasClean",!1)}};function Qe(e){return re(e)&&"code"in e&&"reason"in e}function rr(e){return[1e3,1001,1006,1005,1012,1013,1014].includes(e)?!1:e>=1e3&&e<=1999}function ir(e){return typeof e=="function"&&"constructor"in e&&"CLOSED"in e&&"CLOSING"in e&&"CONNECTING"in e&&"OPEN"in e}var Z=class extends Error{constructor(r,a,o){super(r);this.code=a;this.field=o}};async function $(e,...[n]){let r=await fetch("/graphql",{method:"POST",credentials:"same-origin",headers:{"Content-Type":"application/json","X-Helpium-Session":"cookie"},body:JSON.stringify({query:e.toString(),variables:n??{}})});return qt(r.status,await r.text().catch(()=>""))}function je(e,n,r,a){let o=new FormData;return o.append("operations",JSON.stringify({query:e.toString(),variables:{...n,files:r.map(()=>null)}})),o.append("map",JSON.stringify(Object.fromEntries(r.map((i,p)=>[String(p),[`variables.files.${p}`]])))),r.forEach((i,p)=>o.append(String(p),i,i.name)),new Promise((i,p)=>{let u=new XMLHttpRequest;u.open("POST","/graphql"),u.withCredentials=!0,u.setRequestHeader("X-Helpium-Session","cookie"),a&&u.upload.addEventListener("progress",l=>l.lengthComputable&&l.total>0&&a(l.loaded/l.total)),u.addEventListener("load",()=>{try{i(qt(u.status,u.responseText))}catch(l){p(l)}}),u.addEventListener("error",()=>p(new Z("Could not reach the server.","unavailable"))),u.send(o)})}function qt(e,n){let r;try{r=JSON.parse(n)}catch{throw new Z(`The server answered ${e}.`,"unavailable")}if(r.errors?.length){let a=r.errors[0];throw new Z(a.message,a.extensions?.code??"internal",a.extensions?.field?.replace(/^input\./,""))}return r.data}var be=null;function Ge(){if(!be){let e=location.protocol==="https:"?"wss:":"ws:";be=Ke({url:`${e}//${location.host}/graphql?session=cookie`,lazy:!0,retryAttempts:1/0})}return be}function $e(e,n,r){return Ge().subscribe({query:e.toString(),variables:n},{next:a=>a.data&&r(a.data),error:()=>{},complete:()=>{}})}function Wt(e){let n=Ge().on("connected",()=>e(!0)),r=Ge().on("closed",()=>e(!1));return()=>{n(),r()}}function Bt(){be?.dispose(),be=null}var C=class extends String{constructor(n,r){super(n),this.value=n,this.__meta__=r}toString(){return this.value}};var zt=new C(`
    query Me {
  me {
    id
    name
    email
  }
  myWorkspaces {
    role
    workspace {
      id
      name
    }
  }
}
    `),Qt=new C(`
    mutation Login($e: String!, $p: String!) {
  login(email: $e, password: $p) {
    expiresAt
  }
}
    `),Kt=new C(`
    mutation Logout {
  logout
}
    `),Gt=new C(`
    subscription ConversationChanged($w: ID!) {
  conversationChanged(workspaceId: $w) {
    change
    conversation {
      id
    }
  }
}
    `),jt=new C(`
    query Inbox($w: ID!, $f: ConversationFilter, $after: String) {
  conversations(
    workspaceId: $w
    filter: $f
    orderBy: {field: LAST_MESSAGE_AT, direction: DESC}
    first: 50
    after: $after
  ) {
    edges {
      node {
        id
        status
        lastMessageAt
        customer {
          email
          name
        }
        assignee {
          id
          name
        }
        lastMessage {
          body
          author
          internal
          attachments {
            filename
          }
        }
        unreadCount
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    `),Jt=new C(`
    query Conversation($id: ID!) {
  conversation(id: $id) {
    id
    status
    identityVerified
    assignee {
      id
      name
    }
    customer {
      id
      email
      name
      verified
      conversations(first: 6) {
        edges {
          node {
            id
            status
            lastMessageAt
          }
        }
      }
    }
    messages(last: 100) {
      edges {
        node {
          ...MessageFields
        }
      }
    }
    seenUpTo
    handedOverAt
    csat {
      rating
      comment
      submittedAt
    }
  }
}
    fragment MessageFields on Message {
  id
  author
  body
  internal
  createdAt
  answerId
  authorAgent {
    id
    name
  }
  attachments {
    id
    filename
    contentType
    kind
    size
    inline
    url
  }
}`),Yt=new C(`
    subscription MessageAdded($c: ID!) {
  messageAdded(conversationId: $c) {
    ...MessageFields
  }
}
    fragment MessageFields on Message {
  id
  author
  body
  internal
  createdAt
  answerId
  authorAgent {
    id
    name
  }
  attachments {
    id
    filename
    contentType
    kind
    size
    inline
    url
  }
}`),Xt=new C(`
    subscription ConversationActivity($c: ID!) {
  conversationActivity(conversationId: $c) {
    kind
    actor
    agent {
      id
      name
    }
    typing
    expiresAt
    lastReadMessageId
    at
  }
}
    `),Je=new C(`
    mutation Reply($c: ID!, $b: String!, $k: String, $files: [Upload!]) {
  replyToConversation(
    input: {conversationId: $c, body: $b, clientMessageId: $k, files: $files}
  ) {
    message {
      ...MessageFields
    }
  }
}
    fragment MessageFields on Message {
  id
  author
  body
  internal
  createdAt
  answerId
  authorAgent {
    id
    name
  }
  attachments {
    id
    filename
    contentType
    kind
    size
    inline
    url
  }
}`),Ye=new C(`
    mutation Note($c: ID!, $b: String!, $files: [Upload!]) {
  addInternalNote(input: {conversationId: $c, body: $b, files: $files}) {
    ...MessageFields
  }
}
    fragment MessageFields on Message {
  id
  author
  body
  internal
  createdAt
  answerId
  authorAgent {
    id
    name
  }
  attachments {
    id
    filename
    contentType
    kind
    size
    inline
    url
  }
}`),Zt=new C(`
    mutation MarkRead($c: ID!) {
  markConversationRead(conversationId: $c) {
    id
    unreadCount
  }
}
    `),en=new C(`
    mutation SetTyping($c: ID!, $t: Boolean!) {
  setTyping(conversationId: $c, typing: $t)
}
    `),Xe=new C(`
    mutation Assign($c: ID!, $a: ID) {
  assignConversation(conversationId: $c, agentId: $a) {
    id
  }
}
    `),tn=new C(`
    mutation SetStatus($c: ID!, $s: ConversationStatus!) {
  setConversationStatus(conversationId: $c, status: $s) {
    id
  }
}
    `),nn=new C(`
    query Articles($w: ID!, $f: ArticleFilter) {
  articles(workspaceId: $w, filter: $f, first: 100) {
    edges {
      node {
        ...ArticleFields
      }
    }
  }
}
    fragment ArticleFields on Article {
  id
  title
  body
  status
  tags
  updatedAt
}`),rn=new C(`
    query Article($id: ID!) {
  article(id: $id) {
    ...ArticleFields
  }
}
    fragment ArticleFields on Article {
  id
  title
  body
  status
  tags
  updatedAt
}`),an=new C(`
    mutation CreateArticle($w: ID!, $t: String!, $b: String!) {
  createArticle(input: {workspaceId: $w, title: $t, body: $b}) {
    id
  }
}
    `),sn=new C(`
    mutation UpdateArticle($id: ID!, $t: String!, $b: String!) {
  updateArticle(id: $id, input: {title: $t, body: $b}) {
    id
  }
}
    `),on=new C(`
    mutation PublishArticle($id: ID!) {
  publishArticle(id: $id) {
    id
  }
}
    `),ln=new C(`
    mutation UnpublishArticle($id: ID!) {
  unpublishArticle(id: $id) {
    id
  }
}
    `),un=new C(`
    mutation DeleteArticle($id: ID!) {
  deleteArticle(id: $id)
}
    `),dn=new C(`
    query TryIt($q: String!, $w: ID) {
  searchArticles(query: $q, workspaceId: $w) {
    results {
      articleId
      title
      snippet
      score
    }
  }
  answer(query: $q, workspaceId: $w) {
    answered
    answer
    confidence
    sources {
      title
      url
    }
  }
}
    `),cn=new C(`
    query Settings($w: ID!) {
  actions(workspaceId: $w) {
    ...ActionFields
  }
  actionCalls(workspaceId: $w, limit: 20) {
    id
    actionName
    caller
    agent {
      id
      name
      email
    }
    statusCode
    durationMs
    error
    createdAt
  }
  workspace(id: $w) {
    id
    widgetKey
    allowedOrigins
    identitySecret
    requireIdentityVerification
    rateLimits {
      customerApiPerMinute
      conversationsPerMinute
      messagesPerMinute
    }
    attachmentLimits {
      maxFileBytes
      maxFilesPerMessage
      maxFilesPerConversation
      allowedKinds
    }
    businessHours {
      enabled
      timezone
      outOfOfficeMessage
      ranges {
        day
        start
        end
      }
      closures {
        date
        reason
      }
    }
    widgetConfig {
      colors {
        primary
        background
        text
      }
      position
      greeting
      launcherText
    }
    awayEmail {
      enabled
      delayMinutes
      resumeUrl
    }
    members {
      role
      agent {
        id
        name
        email
      }
    }
  }
}
    fragment ActionFields on Action {
  id
  name
  description
  method
  urlTemplate
  parameters
  headers {
    name
    value
  }
  requiresCustomerToken
  updatedAt
}`),pn=new C(`
    mutation UpdateWidgetSettings($w: ID!, $p: WidgetSettingsPatch!) {
  updateWidgetSettings(workspaceId: $w, patch: $p) {
    id
  }
}
    `),mn=new C(`
    mutation SetAllowedOrigins($w: ID!, $o: [String!]!) {
  setAllowedOrigins(workspaceId: $w, origins: $o) {
    id
  }
}
    `),gn=new C(`
    mutation UpdateBusinessHours($w: ID!, $in: BusinessHoursInput!) {
  updateBusinessHours(workspaceId: $w, input: $in) {
    id
  }
}
    `),fn=new C(`
    mutation SetRateLimits($w: ID!, $in: RateLimitsInput!) {
  setRateLimits(workspaceId: $w, input: $in) {
    id
  }
}
    `),yn=new C(`
    mutation SetAttachmentLimits($w: ID!, $in: AttachmentLimitsInput!) {
  setAttachmentLimits(workspaceId: $w, input: $in) {
    id
  }
}
    `),bn=new C(`
    mutation SetAwayEmail($w: ID!, $in: AwayEmailSettingsInput!) {
  setAwayEmail(workspaceId: $w, input: $in) {
    id
  }
}
    `),hn=new C(`
    mutation CreateAction($w: ID!, $in: ActionInput!) {
  createAction(workspaceId: $w, input: $in) {
    id
  }
}
    `),vn=new C(`
    mutation UpdateAction($id: ID!, $in: ActionInput!) {
  updateAction(id: $id, input: $in) {
    id
  }
}
    `),wn=new C(`
    mutation DeleteAction($id: ID!) {
  deleteAction(id: $id)
}
    `),_n=new C(`
    mutation SetIdentityVerification($w: ID!, $r: Boolean!) {
  setIdentityVerification(workspaceId: $w, required: $r) {
    id
  }
}
    `),xn=new C(`
    mutation RotateIdentitySecret($w: ID!) {
  rotateIdentitySecret(workspaceId: $w) {
    id
  }
}
    `),An=new C(`
    mutation SetAgentRole($w: ID!, $a: ID!, $r: Role!) {
  setAgentRole(workspaceId: $w, agentId: $a, role: $r) {
    role
  }
}
    `),Sn=new C(`
    mutation RemoveAgent($w: ID!, $a: ID!) {
  removeAgent(workspaceId: $w, agentId: $a)
}
    `),kn=new C(`
    mutation InviteAgent($w: ID!, $e: String!, $r: Role!) {
  inviteAgent(workspaceId: $w, email: $e, role: $r) {
    invitation {
      id
    }
  }
}
    `),Tn=new C(`
    mutation RotateWidgetKey($w: ID!) {
  rotateWidgetKey(workspaceId: $w) {
    id
  }
}
    `),Mn=new C(`
    query Stats($w: ID!, $f: Time!, $t: Time!) {
  stats(workspaceId: $w, from: $f, to: $t) {
    opened
    resolved
    openNow
    medianFirstResponseSeconds
    medianResolutionSeconds
    csat {
      ...CSATSummaryFields
    }
    days {
      date
      opened
      resolved
      medianFirstResponseSeconds
      medianResolutionSeconds
      csat {
        ...CSATSummaryFields
      }
    }
  }
}
    fragment CSATSummaryFields on CSATSummary {
  count
  average
  distribution
}`),Cn=new C(`
    query ContentGaps($w: ID!, $f: Time!, $t: Time!) {
  contentGaps(workspaceId: $w, from: $f, to: $t) {
    questions
    clusters {
      size
      examples
      articles {
        articleId
        title
        url
        score
      }
    }
    deflection {
      answers
      ledToConversation
      rate
    }
  }
}
    `),En=new C(`
    query NotHelpful($w: ID!, $f: Time, $t: Time) {
  answers(workspaceId: $w, helpful: false, from: $f, to: $t, first: 50) {
    id
    question
    createdAt
    answer {
      answered
      answer
    }
    feedback {
      helpful
      comment
    }
    conversation {
      id
    }
  }
}
    `);var ar=0;function t(e,n,r,a,o,i){n||(n={});var p,u,l=n;if("ref"in l)for(u in l={},n)u=="ref"?p=n[u]:l[u]=n[u];var d={type:e,props:l,key:r,ref:p,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:--ar,__i:-1,__u:0,__source:o,__self:i};if(typeof e=="function"&&(p=e.defaultProps))for(u in p)l[u]===void 0&&(l[u]=p[u]);return H.vnode&&H.vnode(d),d}function sr(){let[e,n]=S(void 0),[r,a]=S(""),o=ae(()=>{$(zt).then(i=>n({agent:i.me,workspaces:i.myWorkspaces})).catch(i=>i instanceof Z&&i.code==="unauthenticated"?n(null):a(String(i.message)))},[]);return N(o,[o]),r?t("p",{role:"alert",class:"error",children:r}):e===void 0?t("p",{class:"loading",children:"Loading…"}):e===null?t(or,{onDone:o}):t(lr,{agent:e.agent,workspaces:e.workspaces,onSignOut:()=>{Bt(),n(null)}})}function or({onDone:e}){let[n,r]=S(""),[a,o]=S(!1);return t("main",{class:"signin",children:t("form",{onSubmit:async p=>{p.preventDefault();let u=new FormData(p.currentTarget);o(!0),r("");try{await $(Qt,{e:String(u.get("email")),p:String(u.get("password"))}),e()}catch(l){r(l.message),o(!1)}},"aria-labelledby":"signin-title",children:[t("h1",{id:"signin-title",children:"Sign in to Helpium"}),t("label",{children:["Email ",t("input",{name:"email",type:"email",autocomplete:"username",required:!0,autoFocus:!0})]}),t("label",{children:["Password ",t("input",{name:"password",type:"password",autocomplete:"current-password",required:!0})]}),n&&t("p",{role:"alert",class:"error",children:n}),t("button",{type:"submit",disabled:a,children:a?"Signing in…":"Sign in"})]})})}function lr({agent:e,workspaces:n,onSignOut:r}){let[a,o]=S(n[0]?.workspace.id??""),[i,p]=S(null),l=(n.find(f=>f.workspace.id===a)?.role??"AGENT")!=="AGENT",[d,g]=S(["#kb","#reports","#settings"].includes(location.hash)?location.hash.slice(1):"inbox"),m=d==="settings"&&!l?"inbox":d,[s,b]=S(null),h=f=>{b(null),g(f)};N(()=>{history.replaceState(null,"","#"+m)},[m]);let[w,c]=S(!1),[v,_]=S(null),[y,E]=S(null),T=ae(f=>E(x=>({id:f,kind:"READ",n:(x?.n??0)+1})),[]);N(()=>$e(Gt,{w:a},f=>_(x=>({id:f.conversationChanged.conversation.id,kind:f.conversationChanged.change,n:(x?.n??0)+1}))),[a]);let[k,L]=S(!1);N(()=>Wt(f=>{L(f),f&&_(x=>({id:"",kind:"CONNECTED",n:(x?.n??0)+1}))}),[]);let R=async()=>{await $(Kt).catch(()=>{}),r()};return N(()=>{let f=x=>{x.key==="?"&&!ot(x)&&c(D=>!D),x.key==="Escape"&&c(!1)};return addEventListener("keydown",f),()=>removeEventListener("keydown",f)},[]),a?t("div",{class:"shell","data-live":k?"on":"off",children:[t("header",{children:[t("strong",{class:"brand",children:"Helpium"}),n.length>1?t("label",{children:["Workspace"," ",t("select",{value:a,onChange:f=>{o(f.target.value),p(null)},children:n.map(f=>t("option",{value:f.workspace.id,children:f.workspace.name}))})]}):t("span",{children:n[0].workspace.name}),t("nav",{"aria-label":"Sections",children:[t("button",{type:"button",class:"tab","aria-current":d==="inbox"?"page":void 0,onClick:()=>h("inbox"),children:"Inbox"}),t("button",{type:"button",class:"tab","aria-current":d==="kb"?"page":void 0,onClick:()=>h("kb"),children:"Knowledge base"}),t("button",{type:"button",class:"tab","aria-current":d==="reports"?"page":void 0,onClick:()=>h("reports"),children:"Reports"}),l&&t("button",{type:"button",class:"tab","aria-current":m==="settings"?"page":void 0,onClick:()=>h("settings"),children:"Settings"})]}),t("span",{class:"spacer"}),t("button",{type:"button",class:"link",onClick:()=>c(!0),children:"Shortcuts"}),t("span",{class:"who",children:e.name||e.email}),t("button",{type:"button",onClick:R,children:"Sign out"})]}),m==="settings"?t(Mr,{workspaceID:a,me:e},a):m==="reports"?t(Er,{workspaceID:a,admin:l,onOpenArticle:f=>{b(f),g("kb")},onOpenConversation:f=>{p(f),g("inbox")}},a):m==="kb"?t(Ar,{workspaceID:a,canEdit:l,initial:s},a):t("div",{class:i?"panes has-open":"panes",children:[t(mr,{workspaceID:a,me:e,open:i,onOpen:p,change:v,read:y}),i?t(fr,{id:i,me:e,change:v,onRead:T,onClose:()=>p(null)},i):t("section",{class:"empty","aria-label":"Conversation",children:t("p",{children:"Select a conversation."})})]}),w&&t(ur,{onClose:()=>c(!1)})]}):t("p",{class:"error",children:"You are not a member of any workspace yet."})}function ot(e){let n=e.target;return n.tagName==="INPUT"||n.tagName==="TEXTAREA"||n.tagName==="SELECT"}function ur({onClose:e}){let n=K(null);return N(()=>n.current?.focus(),[]),t("div",{class:"overlay",role:"dialog","aria-modal":"true","aria-labelledby":"help-title",children:t("div",{class:"dialog",children:[t("h2",{id:"help-title",children:"Keyboard shortcuts"}),t("dl",{children:[t("dt",{children:"j / k"}),t("dd",{children:"Next / previous conversation"}),t("dt",{children:"Enter"}),t("dd",{children:"Open the selected conversation"}),t("dt",{children:"r"}),t("dd",{children:"Write a reply"}),t("dt",{children:"Ctrl+Enter"}),t("dd",{children:"Send the reply"}),t("dt",{children:"?"}),t("dd",{children:"Show or hide this list"}),t("dt",{children:"Esc"}),t("dd",{children:"Close"})]}),t("button",{ref:n,type:"button",onClick:e,children:"Close"})]})})}function tt(e,n){let r=K(e?.n??0);N(()=>{e&&e.n>r.current&&(r.current=e.n,n(e))},[e])}var dr=["inbox-data","inbox-rendered"];function cr(){dr.forEach(e=>performance.clearMarks(e)),performance.clearMeasures("inbox-render"),performance.mark("inbox-data")}function pr(){requestAnimationFrame(()=>setTimeout(()=>{performance.getEntriesByName("inbox-data","mark").length!==0&&(performance.mark("inbox-rendered"),performance.measure("inbox-render","inbox-data","inbox-rendered"))},0))}function mr({workspaceID:e,me:n,open:r,onOpen:a,change:o,read:i}){let[p,u]=S("OPEN"),[l,d]=S("all"),[g,m]=S(""),[s,b]=S([]),[h,w]=S(null),[c,v]=S(0),[_,y]=S(""),E={...p?{status:[p]}:{},...l==="mine"?{assignee:{me:!0}}:l==="unassigned"?{assignee:{none:!0}}:{},...g.trim()?{text:g.trim()}:{}},T=JSON.stringify(E),k=K(0),L=K(!1),R=ae(f=>{let x=++k.current;$(jt,{w:e,f:E,after:f}).then(D=>{if(x!==k.current)return;f||(cr(),L.current=!0);let A=D.conversations.edges.map(V=>V.node);b(V=>f?[...V,...A]:A),w(D.conversations.pageInfo.hasNextPage?D.conversations.pageInfo.endCursor:null),y("")}).catch(D=>y(D.message))},[e,T]);return N(()=>{let f=setTimeout(()=>R(null),g?250:0);return()=>clearTimeout(f)},[R]),Ie(()=>{L.current&&(L.current=!1,pr())},[s]),tt(o,()=>R(null)),tt(i,f=>{b(x=>x.map(D=>D.id===f.id?{...D,unreadCount:0}:D)),R(null)}),N(()=>{let f=x=>{if(!(ot(x)||x.ctrlKey||x.metaKey||x.altKey)){if(x.key==="j")v(D=>Math.min(D+1,s.length-1));else if(x.key==="k")v(D=>Math.max(D-1,0));else if(x.key==="Enter"&&s[c])a(s[c].id);else return;x.preventDefault()}};return addEventListener("keydown",f),()=>removeEventListener("keydown",f)}),t("section",{class:"inbox","aria-label":"Inbox",children:[t("div",{class:"filters",children:[t("label",{children:["Status"," ",t("select",{value:p,onChange:f=>u(f.target.value),children:[t("option",{value:"OPEN",children:"Open"}),t("option",{value:"PENDING",children:"Pending"}),t("option",{value:"RESOLVED",children:"Resolved"}),t("option",{value:"CLOSED",children:"Closed"}),t("option",{value:"",children:"All"})]})]}),t("label",{children:["Assignee"," ",t("select",{value:l,onChange:f=>d(f.target.value),children:[t("option",{value:"all",children:"All"}),t("option",{value:"mine",children:"Mine"}),t("option",{value:"unassigned",children:"Unassigned"})]})]}),t("label",{class:"search",children:["Search ",t("input",{type:"search",value:g,onInput:f=>m(f.target.value)})]})]}),_&&t("p",{role:"alert",class:"error",children:_}),t("ul",{class:"list",children:s.map((f,x)=>t("li",{children:t("button",{type:"button",class:[f.id===r&&"open",x===c&&"cursor",f.unreadCount>0&&"unread"].filter(Boolean).join(" "),"aria-current":f.id===r?"true":void 0,onClick:()=>{v(x),a(f.id)},children:[t("span",{class:"row1",children:[t("span",{class:"customer",children:f.customer?.name||f.customer?.email||"Visitor"}),f.unreadCount>0&&t("span",{class:"badge",children:[f.unreadCount,t("span",{class:"visually-hidden",children:" unread"})]}),t("time",{children:oe(f.lastMessageAt)})]}),t("span",{class:"preview",children:f.lastMessage?(f.lastMessage.internal?"Note: ":"")+(f.lastMessage.body||f.lastMessage.attachments.map(D=>D.filename).join(", ")):""}),t("span",{class:"meta",children:[f.status.toLowerCase(),f.assignee?` · ${f.assignee.id===n.id?"you":f.assignee.name}`:" · unassigned"]})]})},f.id))}),s.length===0&&!_&&t("p",{class:"none",children:"No conversations."}),h&&t("button",{type:"button",class:"more",onClick:()=>R(h),children:"Load more"})]})}var gr=e=>e.author==="CUSTOMER"?"customer":e.authorAgent?.id??"";function nt(e,n){for(let r=e.length-1;r>=0;r--)if(n(e[r]))return e[r]}function fr({id:e,me:n,change:r,onRead:a,onClose:o}){let[i,p]=S(null),[u,l]=S([]),[d,g]=S(null),[m,s]=S([]),[b,h]=S(""),w=ae(()=>{$(Jt,{id:e}).then(A=>{p(A.conversation),l(A.conversation.messages.edges.map(V=>V.node)),g(A.conversation.seenUpTo)}).catch(A=>h(A.message))},[e]);N(w,[w]),N(()=>$e(Yt,{c:e},A=>{let V=A.messageAdded;l(M=>M.some(O=>O.id===V.id)?M:[...M,V]),s(M=>M.filter(O=>O.key!==gr(V)))}),[e]),tt(r,A=>(A.id===e||A.kind==="CONNECTED")&&w());let c=i!==null,v=nt(u,A=>A.author==="CUSTOMER")?.id;N(()=>{if(!c)return;let A=()=>$(Zt,{c:e}).then(()=>a(e)).catch(()=>{});if(document.visibilityState==="visible"){A();return}let V=()=>{document.visibilityState==="visible"&&(document.removeEventListener("visibilitychange",V),A())};return document.addEventListener("visibilitychange",V),()=>document.removeEventListener("visibilitychange",V)},[e,c,v]),N(()=>$e(Xt,{c:e},({conversationActivity:A})=>{if(A.kind==="READ"){A.actor==="CUSTOMER"&&A.lastReadMessageId&&g(A.lastReadMessageId);return}let V=A.actor==="CUSTOMER"?"customer":A.agent?.id;if(!V||V===n.id)return;let M=A.actor==="CUSTOMER"?"Customer":A.agent.name||"An agent",O=A.expiresAt?Date.parse(A.expiresAt)-Date.parse(A.at):6e3;s(I=>[...I.filter(F=>F.key!==V),...A.typing?[{key:V,name:M,until:Date.now()+O}]:[]])}),[e,n.id]),N(()=>{if(!m.length)return;let A=Math.min(...m.map(M=>M.until)),V=setTimeout(()=>s(M=>M.filter(O=>O.until>Date.now())),Math.max(0,A-Date.now())+50);return()=>clearTimeout(V)},[m]);let _=K(null);N(()=>{_.current?.lastElementChild?.scrollIntoView({block:"end"})},[u.length]);let y=K(),[E,T]=S(!1),k=A=>!!A.dataTransfer&&[...A.dataTransfer.types].includes("Files"),L=A=>{k(A)&&(A.preventDefault(),A.dataTransfer.dropEffect="copy",T(!0))},R=A=>{k(A)&&(A.preventDefault(),T(!1),y.current?.([...A.dataTransfer.files]))},f=A=>A.then(w).catch(V=>h(V.message));if(!i)return t("section",{class:"conversation","aria-label":"Conversation",children:b?t("p",{role:"alert",class:"error",children:b}):t("p",{class:"loading",children:"Loading…"})});let x=i.status==="RESOLVED"||i.status==="CLOSED",D=nt(u.slice(0,u.findIndex(A=>A.id===d)+1),A=>A.author==="AGENT"&&!A.internal)?.id;return t("section",{class:i.customer?"conversation with-customer":"conversation","aria-label":"Conversation",children:[t("div",{class:E?"main dragging":"main",onDragEnter:L,onDragOver:L,onDrop:R,onDragLeave:A=>{A.currentTarget.contains(A.relatedTarget)||T(!1)},children:[t("div",{class:"toolbar",children:[t("button",{type:"button",class:"back",onClick:o,children:"Back"}),t("span",{class:`status ${i.status.toLowerCase()}`,children:i.status.toLowerCase()}),t("span",{class:"spacer"}),i.assignee?.id===n.id?t("button",{type:"button",onClick:()=>f($(Xe,{c:e,a:null})),children:"Unassign"}):t("button",{type:"button",onClick:()=>f($(Xe,{c:e,a:n.id})),children:"Assign to me"}),t("button",{type:"button",onClick:()=>f($(tn,{c:e,s:x?"OPEN":"RESOLVED"})),children:x?"Reopen":"Resolve"})]}),b&&t("p",{role:"alert",class:"error",children:b}),t("div",{class:"conv-meta",children:[t("span",{class:"assignee",children:i.assignee?`Assigned to ${i.assignee.id===n.id?"you":i.assignee.name}`:"Unassigned"}),i.handedOverAt&&t("span",{class:"pill ai",title:`The customer asked for a person ${oe(i.handedOverAt)}`,children:"Handed over from the AI"}),i.csat&&t(br,{csat:i.csat})]}),t("ol",{class:"thread",ref:_,"aria-label":"Messages",children:u.map(A=>A.author==="SYSTEM"?t("li",{class:"msg system",children:[A.body," ",t("time",{children:oe(A.createdAt)})]},A.id):t("li",{class:`msg ${A.author.toLowerCase()}${A.internal?" note":""}`,children:[t("span",{class:"from",children:[A.internal?"Internal note · ":"",yr(A),A.answerId&&A.author==="CUSTOMER"&&t(Q,{children:[" ",t("span",{class:"pill ai",children:"asked the AI"})]})]}),A.body&&t(he,{text:A.body}),A.attachments.length>0&&t(vr,{files:A.attachments}),t("time",{children:oe(A.createdAt)}),A.id===D&&t("span",{class:"seen",children:"Seen"})]},A.id))}),t("p",{class:"typing",role:"status",children:m.map(A=>`${A.name} is typing…`).join(" ")}),t(_r,{conversationID:e,attach:y,onSent:A=>l(V=>V.some(M=>M.id===A.id)?V:[...V,A])}),E&&t("div",{class:"drop","aria-hidden":"true",children:"Drop files to attach them"})]}),i.customer&&t(hr,{c:i})]})}function yr(e){switch(e.author){case"CUSTOMER":return"Customer";case"AGENT":return e.authorAgent?.name||"Agent";case"BOT":return"AI answer";default:return"System"}}function br({csat:e}){return t("span",{class:"csat",children:["Rated ",t("strong",{children:[t("span",{"aria-hidden":"true",children:"★ "}),e.rating,"/5"]}),e.comment&&t(Q,{children:[" · ",t("q",{children:e.comment})]})]})}function hr({c:e}){let n=e.customer,r=n.conversations.edges.map(a=>a.node).filter(a=>a.id!==e.id);return t("aside",{class:"customer-panel","aria-label":"Customer",children:[t("h2",{children:n.name||n.email||"Customer"}),n.email&&t("p",{children:n.email}),t("p",{children:e.identityVerified?t("span",{class:"verified",children:"Verified"}):t("span",{class:"unverified",children:"Not verified"})}),r.length>0&&t(Q,{children:[t("h3",{children:"Other conversations"}),t("ul",{children:r.map(a=>t("li",{children:[a.status.toLowerCase()," · ",oe(a.lastMessageAt)]},a.id))})]})]})}function vr({files:e}){return t("ul",{class:"files","aria-label":"Attachments",children:e.map(n=>t("li",{children:n.inline?t("a",{class:"thumb",href:n.url,target:"_blank",rel:"noopener",children:t("img",{src:n.url,alt:`${n.filename}, ${rt(n.size)}`,loading:"lazy"})}):t("a",{class:"file",href:n.url,download:n.filename,children:[t("span",{class:"name",children:n.filename})," ",t("span",{class:"size",children:rt(n.size)})]})},n.id))})}var wr=e=>({file:e,url:/^image\/(png|jpeg|gif|webp|bmp)$/.test(e.type)?URL.createObjectURL(e):null});function _r({conversationID:e,attach:n,onSent:r}){let[a,o]=S(""),[i,p]=S(!1),[u,l]=S(!1),[d,g]=S(null),[m,s]=S([]),[b,h]=S(null),w=K(crypto.randomUUID()),c=()=>{w.current=crypto.randomUUID()},v=K({on:!1,last:0}),_=f=>{let x=v.current;(f?Date.now()-x.last<2e3:!x.on)||(f&&(x.last=Date.now()),x.on=f,$(en,{c:e,t:f}).catch(()=>{}))};N(()=>()=>_(!1),[]);let y=K(null),E=K(null),T=K(m);T.current=m,N(()=>()=>T.current.forEach(f=>f.url&&URL.revokeObjectURL(f.url)),[]);let k=f=>{f.length&&(s(x=>[...x,...f.map(wr)]),g(null),c())};n.current=k;let L=f=>{f.url&&URL.revokeObjectURL(f.url),s(x=>x.filter(D=>D!==f)),g(null),c(),y.current?.focus()};N(()=>{let f=x=>{x.key==="r"&&!ot(x)&&!x.ctrlKey&&!x.metaKey&&(x.preventDefault(),y.current?.focus())};return addEventListener("keydown",f),()=>removeEventListener("keydown",f)},[]);let R=async f=>{if(f?.preventDefault(),!(!a.trim()&&!m.length||b!==null)){_(!1),h(0);try{let x;if(m.length){let D=m.map(A=>A.file);x=i?(await je(Ye,{c:e,b:a},D,h)).addInternalNote:(await je(Je,{c:e,b:a,k:w.current},D,h)).replyToConversation.message}else x=i?(await $(Ye,{c:e,b:a})).addInternalNote:(await $(Je,{c:e,b:a,k:w.current})).replyToConversation.message;r(x),m.forEach(D=>D.url&&URL.revokeObjectURL(D.url)),s([]),o(""),l(!1),g(null),c()}catch(x){let D=x instanceof Z?/^files\[(\d+)\]$/.exec(x.field??""):null;g({text:xr(x.message),file:D?Number(D[1]):-1})}finally{h(null)}}};return t("form",{class:i?"reply note":"reply",onSubmit:R,"aria-busy":b!==null,children:[u?t("div",{class:"preview-box","aria-label":"Preview",children:t(he,{text:a})}):t("label",{class:"visually-hidden",for:"reply-body",children:i?"Internal note":"Reply"}),!u&&t("textarea",{id:"reply-body",ref:y,rows:4,value:a,placeholder:i?"Internal note, agents only":"Reply to the customer (Markdown)",onInput:f=>{let x=f.target.value;o(x),c(),_(!i&&x!=="")},onBlur:()=>_(!1),onPaste:f=>{let x=[...f.clipboardData?.files??[]];x.length&&(f.clipboardData.types.includes("text/plain")||f.preventDefault(),k(x))},onKeyDown:f=>{f.key==="Enter"&&(f.ctrlKey||f.metaKey)&&R()}}),m.length>0&&t("ul",{class:"chips","aria-label":"Files to send",children:m.map((f,x)=>t("li",{class:d?.file===x?"chip bad":"chip",children:[f.url&&t("img",{src:f.url,alt:""}),t("span",{class:"name",children:f.file.name})," ",t("span",{class:"size",children:rt(f.file.size)}),t("button",{type:"button",class:"link","aria-label":`Remove ${f.file.name}`,onClick:()=>L(f),children:"×"})]},f.url??`${f.file.name}-${x}`))}),d&&t("p",{role:"alert",class:"error",children:d.text}),b!==null&&m.length>0&&t("progress",{max:100,value:Math.round(b*100),"aria-label":"Uploading the files"}),t("div",{class:"reply-actions",children:[t("label",{children:[t("input",{type:"checkbox",checked:i,onChange:f=>{let x=f.target.checked;p(x),c(),_(!x&&a!=="")}})," Internal note"]}),t("button",{type:"button",class:"link",onClick:()=>l(!u),children:u?"Edit":"Preview"}),t("button",{type:"button",class:"link",onClick:()=>E.current?.click(),children:"Attach files"}),t("input",{ref:E,type:"file",multiple:!0,hidden:!0,onChange:f=>{let x=f.target;k([...x.files??[]]),x.value=""}}),t("span",{class:"spacer"}),t("button",{type:"submit",disabled:!a.trim()&&!m.length||b!==null,children:b!==null?"Sending…":i?"Add note":"Send"})]})]})}function xr(e){return e.replace(/^files\[\d+\] \((.*)\)(?= is |: )/,"$1")}function rt(e){return e<1024?`${e} B`:e<1024*1024?`${Math.round(e/1024)} KB`:`${(e/(1024*1024)).toFixed(1).replace(/\.0$/,"")} MB`}function Ar({workspaceID:e,canEdit:n,initial:r}){let[a,o]=S(""),[i,p]=S(""),[u,l]=S([]),[d,g]=S(null),[m,s]=S(""),b=K(0),h=ae(()=>{let c={...a?{status:a}:{},...i.trim()?{text:i.trim()}:{}},v=++b.current;$(nn,{w:e,f:c}).then(_=>{v===b.current&&(l(_.articles.edges.map(y=>y.node)),s(""))}).catch(_=>s(_.message))},[e,a,i]);N(()=>{let c=setTimeout(h,i?250:0);return()=>clearTimeout(c)},[h]),N(()=>{r&&$(rn,{id:r}).then(c=>g(c.article)).catch(c=>s(c.message))},[r]);let w=c=>c.then(()=>{g(null),h()}).catch(v=>s(v.message));return t("div",{class:"kb",children:[t("section",{class:"kb-list","aria-label":"Articles",children:[t("div",{class:"filters",children:[t("label",{children:["Status"," ",t("select",{value:a,onChange:c=>o(c.target.value),children:[t("option",{value:"",children:"All"}),t("option",{value:"PUBLISHED",children:"Published"}),t("option",{value:"DRAFT",children:"Draft"})]})]}),t("label",{class:"search",children:["Filter ",t("input",{type:"search",value:i,onInput:c=>p(c.target.value)})]}),n&&t("button",{type:"button",onClick:()=>g("new"),children:"New article"})]}),m&&t("p",{role:"alert",class:"error",children:m}),t("ul",{class:"list",children:u.map(c=>t("li",{children:t("button",{type:"button",class:d!=="new"&&d?.id===c.id?"open":"",onClick:()=>g(c),children:[t("span",{class:"row1",children:[t("span",{class:"customer",children:c.title}),t("span",{class:`pill ${c.status.toLowerCase()}`,children:c.status.toLowerCase()})]}),t("span",{class:"meta",children:[c.tags.join(", "),c.tags.length?" · ":"","updated ",oe(c.updatedAt)]})]})},c.id))}),u.length===0&&!m&&t("p",{class:"none",children:"No articles."})]}),t("section",{class:"kb-main","aria-label":"Article",children:d?t(Sr,{article:d==="new"?null:d,canEdit:n,onSave:(c,v)=>w(d==="new"?$(an,{w:e,t:c,b:v}):$(sn,{id:d.id,t:c,b:v})),onPublish:c=>w(c.status==="PUBLISHED"?$(ln,{id:c.id}):$(on,{id:c.id})),onDelete:c=>confirm(`Delete "${c.title}"?`)&&w($(un,{id:c.id}))},d==="new"?"new":d.id):t(kr,{workspaceID:e})})]})}function Sr({article:e,canEdit:n,onSave:r,onPublish:a,onDelete:o}){let[i,p]=S(e?.title??""),[u,l]=S(e?.body??""),[d,g]=S(!n),m=i!==(e?.title??"")||u!==(e?.body??"");return t("form",{class:"editor",onSubmit:s=>{s.preventDefault(),r(i,u)},children:[t("label",{children:["Title ",t("input",{value:i,required:!0,readOnly:!n,onInput:s=>p(s.target.value)})]}),d?t("div",{class:"preview-box","aria-label":"Preview",children:t(he,{text:u})}):t("label",{children:["Body (Markdown) ",t("textarea",{rows:16,value:u,required:!0,onInput:s=>l(s.target.value)})]}),t("div",{class:"reply-actions",children:[n&&t("button",{type:"button",class:"link",onClick:()=>g(!d),children:d?"Edit":"Preview"}),t("span",{class:"spacer"}),n&&e&&t("button",{type:"button",class:"danger",onClick:()=>o(e),children:"Delete"}),n&&e&&!m&&t("button",{type:"button",onClick:()=>a(e),children:e.status==="PUBLISHED"?"Unpublish":"Publish"}),n&&t("button",{type:"submit",disabled:!m||!i.trim()||!u.trim(),children:e?"Save":"Create draft"})]})]})}function kr({workspaceID:e}){let[n,r]=S(""),[a,o]=S(null),[i,p]=S("");return t("form",{class:"tryit",onSubmit:l=>{l.preventDefault(),$(dn,{q:n,w:e}).then(d=>{o(d),p("")}).catch(d=>p(d.message))},children:[t("h2",{children:"Try it"}),t("p",{children:"Ask as a customer would, and see what the widget would show: its search results among published articles, and its answer."}),t("label",{children:["Customer question ",t("input",{value:n,required:!0,onInput:l=>r(l.target.value)})]}),t("button",{type:"submit",children:"Try"}),i&&t("p",{role:"alert",class:"error",children:i}),a&&t("div",{class:"tryit-out",children:[t("h3",{children:["Answer ",a.answer.answered?`(confidence ${a.answer.confidence.toFixed(2)})`:"(none: the fallback message)"]}),t("div",{class:"preview-box answer",children:t(he,{text:a.answer.answer})}),a.answer.sources.length>0&&t("ol",{class:"results",children:a.answer.sources.map(l=>t("li",{children:l.title}))}),t("h3",{children:"Search results"}),a.searchArticles.results.length===0?t("p",{class:"none",children:"Nothing relevant."}):t("ol",{class:"results",children:a.searchArticles.results.map(l=>t("li",{children:[t("strong",{children:l.title})," ",t("span",{class:"meta",children:l.score.toFixed(2)}),t("p",{children:l.snippet})]},l.articleId))})]})]})}var Tr=["GET","POST","PUT","PATCH","DELETE"];function Mr({workspaceID:e,me:n}){let[r,a]=S(null),[o,i]=S({actions:[],actionCalls:[]}),[p,u]=S(""),[l,d]=S(""),g=ae(()=>{$(cn,{w:e}).then(c=>{a(c.workspace),i({actions:c.actions,actionCalls:c.actionCalls})}).catch(c=>u(c.message))},[e]);N(g,[g]);let m=r?JSON.stringify([r.widgetKey,r.widgetConfig]):"";N(()=>{if(!r)return;let c=()=>{window.Helpium?.shutdown(),window.Helpium?.init({apiKey:r.widgetKey}).catch(()=>{})};if(window.Helpium){c();return}let v=document.createElement("script");v.src="/widget.js",v.onload=c,document.head.append(v)},[m]),N(()=>()=>window.Helpium?.shutdown(),[]);let s=(c,v)=>v.then(()=>{d(c),u(""),g()}).catch(_=>{d(""),u(_.message)}),b=(c,v,_)=>_.then(()=>(d(v),u(""),g(),!0),y=>{if(d(""),y instanceof Z&&y.field&&c(y.field))throw u(""),y;return u(y.message),!1});if(!r)return t("section",{class:"settings",children:p?t("p",{role:"alert",class:"error",children:p}):t("p",{class:"loading",children:"Loading…"})});let h=r.widgetConfig;return t("section",{class:"settings","aria-label":"Settings",children:[t("p",{role:"status",class:"saved",children:l}),p&&t("p",{role:"alert",class:"error",children:p}),t("form",{class:"card",onSubmit:c=>{c.preventDefault();let v=new FormData(c.currentTarget),_=y=>String(v.get(y));s("Widget saved.",$(pn,{w:e,p:{colors:{primary:_("primary"),background:_("background"),text:_("text")},position:_("position")==="BOTTOM_LEFT"?"BOTTOM_LEFT":"BOTTOM_RIGHT",greeting:_("greeting"),launcherText:_("launcherText")}}))},children:[t("h2",{children:"Widget"}),t("div",{class:"colors",children:[t("label",{children:["Primary colour ",t("input",{name:"primary",type:"color",defaultValue:h.colors.primary})]}),t("label",{children:["Background ",t("input",{name:"background",type:"color",defaultValue:h.colors.background})]}),t("label",{children:["Text ",t("input",{name:"text",type:"color",defaultValue:h.colors.text})]}),t("label",{children:["Position"," ",t("select",{name:"position",children:[t("option",{value:"BOTTOM_RIGHT",selected:h.position==="BOTTOM_RIGHT",children:"Bottom right"}),t("option",{value:"BOTTOM_LEFT",selected:h.position==="BOTTOM_LEFT",children:"Bottom left"})]})]})]}),t("label",{children:["Greeting ",t("input",{name:"greeting",defaultValue:h.greeting,maxLength:500})]}),t("label",{children:["Launcher text ",t("input",{name:"launcherText",defaultValue:h.launcherText,maxLength:40})]}),t("p",{class:"meta",children:"The widget on this page is the real one with these settings; it restarts after each save."}),t("button",{type:"submit",children:"Save widget"})]},JSON.stringify(h)),t("form",{class:"card",onSubmit:c=>{c.preventDefault();let v=String(new FormData(c.currentTarget).get("origins")).split(`
`).map(_=>_.trim()).filter(Boolean);s("Allowed origins saved.",$(mn,{w:e,o:v}))},children:[t("h2",{children:"Allowed origins"}),t("label",{children:["One per line, e.g. https://www.example.com; empty allows any site to use the widget key",t("textarea",{name:"origins",rows:3,defaultValue:r.allowedOrigins.join(`
`)})]}),t("button",{type:"submit",children:"Save origins"})]},r.allowedOrigins.join()),t(Nr,{value:r.businessHours,onSave:c=>b(v=>Rr.test(v),"Business hours saved.",$(gn,{w:e,in:c}))},JSON.stringify(r.businessHours)),t("form",{class:"card",onSubmit:c=>{c.preventDefault();let v=new FormData(c.currentTarget),_=y=>Number(v.get(y));s("Rate limits saved.",$(fn,{w:e,in:{customerApiPerMinute:_("api"),conversationsPerMinute:_("conversations"),messagesPerMinute:_("messages")}}))},children:[t("h2",{children:"Rate limits, per minute"}),t("div",{class:"colors",children:[t("label",{children:["Customer API requests ",t("input",{name:"api",type:"number",min:1,required:!0,defaultValue:r.rateLimits.customerApiPerMinute})]}),t("label",{children:["New conversations per visitor ",t("input",{name:"conversations",type:"number",min:1,required:!0,defaultValue:r.rateLimits.conversationsPerMinute})]}),t("label",{children:["Messages per visitor ",t("input",{name:"messages",type:"number",min:1,required:!0,defaultValue:r.rateLimits.messagesPerMinute})]})]}),t("button",{type:"submit",children:"Save limits"})]},JSON.stringify(r.rateLimits)),t(Vr,{value:r.attachmentLimits,onError:c=>{d(""),u(c)},onSave:c=>s("Attachment limits saved.",$(yn,{w:e,in:c}))},JSON.stringify(r.attachmentLimits)),t(Ur,{value:r.awayEmail,onSave:c=>b(v=>Hr.includes(v),"Away email saved.",$(bn,{w:e,in:c}))},JSON.stringify(r.awayEmail)),t(qr,{actions:o.actions,calls:o.actionCalls,onRefresh:g,onSave:(c,v)=>c?b(_=>Ln.includes(_),"Action saved.",$(vn,{id:c,in:v})):b(_=>Ln.includes(_),"Action created.",$(hn,{w:e,in:v})),onDelete:c=>s("Action deleted.",$(wn,{id:c.id}))}),t("div",{class:"card",children:[t("h2",{children:"Identity verification"}),t("p",{class:"meta",children:"Your server signs each customer's email with this secret (hex HMAC-SHA256 of the lower-cased email) and passes it to the widget as user_hash."}),t(Br,{secret:r.identitySecret}),t("label",{class:"inline",children:[t("input",{type:"checkbox",checked:r.requireIdentityVerification,onChange:c=>s("Identity verification saved.",$(_n,{w:e,r:c.target.checked}))})," ","Refuse identify calls without a valid user hash"]}),t("button",{type:"button",class:"danger",onClick:()=>confirm("Rotate the identity secret? User hashes made with the old one stop verifying.")&&s("Identity secret rotated.",$(xn,{w:e})),children:"Rotate secret"})]}),t("div",{class:"card",children:[t("h2",{children:"Members"}),t(lt,{label:"Members",children:t("table",{children:[t("thead",{children:t("tr",{children:[t("th",{scope:"col",children:"Name"}),t("th",{scope:"col",children:"Email"}),t("th",{scope:"col",children:"Role"}),t("th",{scope:"col",children:t("span",{class:"visually-hidden",children:"Actions"})})]})}),t("tbody",{children:r.members.map(c=>t("tr",{children:[t("td",{children:c.agent.name}),t("td",{children:c.agent.email}),t("td",{children:t("select",{"aria-label":`Role of ${c.agent.email}`,value:c.role,disabled:c.agent.id===n.id,onChange:v=>s("Role changed.",$(An,{w:e,a:c.agent.id,r:v.target.value})),children:[t("option",{value:"OWNER",children:"Owner"}),t("option",{value:"ADMIN",children:"Admin"}),t("option",{value:"AGENT",children:"Agent"})]})}),t("td",{children:c.agent.id!==n.id&&t("button",{type:"button",class:"danger",onClick:()=>confirm(`Remove ${c.agent.email}?`)&&s("Member removed.",$(Sn,{w:e,a:c.agent.id})),children:"Remove"})})]},c.agent.id))})]})}),t("form",{class:"invite",onSubmit:c=>{c.preventDefault();let v=new FormData(c.currentTarget);s("Invitation sent.",$(kn,{w:e,e:String(v.get("email")),r:v.get("role")}))},children:[t("label",{children:["Invite by email ",t("input",{name:"email",type:"email",required:!0})]}),t("label",{children:["Role ",t("select",{name:"role",children:[t("option",{value:"AGENT",children:"Agent"}),t("option",{value:"ADMIN",children:"Admin"}),t("option",{value:"OWNER",children:"Owner"})]})]}),t("button",{type:"submit",children:"Invite"})]})]}),t("div",{class:"card",children:[t("h2",{children:"Widget key"}),t("p",{children:t("code",{children:r.widgetKey})}),t("button",{type:"button",class:"danger",onClick:()=>confirm("Rotate the widget key? Sites using the old key stop working until updated.")&&s("Widget key rotated.",$(Tn,{w:e})),children:"Rotate key"})]})]})}var Cr=e=>e.toISOString().slice(0,10),me=e=>Cr(new Date(Date.now()-e*864e5)),Dn=[7,30,90];function Er({workspaceID:e,admin:n,onOpenArticle:r,onOpenConversation:a}){let[o,i]=S(me(29)),[p,u]=S(me(0)),[l,d]=S(null),[g,m]=S(""),s=p===me(0)?Dn.find(c=>o===me(c-1)):void 0,b=o+"T00:00:00Z",h=new Date(p+"T00:00:00Z");h.setUTCDate(h.getUTCDate()+1);let w=h.toISOString();return N(()=>{let c=!0;return $(Mn,{w:e,f:b,t:w}).then(v=>{c&&(d({...v.stats,days:v.stats.days.map(_=>({..._,csatAverage:_.csat.average}))}),m(""))}).catch(v=>c&&m(v.message)),()=>{c=!1}},[e,b,w]),t("section",{class:"reports","aria-label":"Reports",children:[t("div",{class:"filters",children:[t("label",{children:["Period"," ",t("select",{value:s??"",onChange:c=>{let v=Number(c.target.value);v&&(i(me(v-1)),u(me(0)))},children:[Dn.map(c=>t("option",{value:c,children:["Last ",c," days"]},c)),t("option",{value:"",disabled:s!==void 0,children:"Custom"})]})]}),t("label",{children:["From ",t("input",{type:"date",value:o,max:p,onChange:c=>i(c.target.value)})]}),t("label",{children:["To ",t("input",{type:"date",value:p,min:o,onChange:c=>u(c.target.value)})]})]}),g&&t("p",{role:"alert",class:"error",children:g}),l&&t(Q,{children:[t("dl",{class:"tiles",children:[t("div",{children:[t("dt",{children:"Opened"}),t("dd",{children:l.opened})]}),t("div",{children:[t("dt",{children:"Resolved"}),t("dd",{children:l.resolved})]}),t("div",{children:[t("dt",{children:"Open now"}),t("dd",{children:l.openNow})]}),t("div",{children:[t("dt",{children:"Median first response"}),t("dd",{children:et(l.medianFirstResponseSeconds)})]}),t("div",{children:[t("dt",{children:"Median resolution"}),t("dd",{children:et(l.medianResolutionSeconds)})]}),t("div",{class:"csat-tile",children:[t("dt",{children:"CSAT average"}),t("dd",{children:[In(l.csat.average),l.csat.average!=null&&t("span",{class:"of",children:" / 5"})]})]}),t("div",{children:[t("dt",{children:"Ratings"}),t("dd",{children:l.csat.count})]})]}),t("div",{class:"card",children:[t("h2",{id:"chart-volume",children:"Opened and resolved per day"}),t(Ze,{days:l.days,series:[["opened","Opened","#0f766e"],["resolved","Resolved","#1d4ed8"]],labelledBy:"chart-volume",format:String})]}),t("div",{class:"card",children:[t("h2",{id:"chart-times",children:"Median first response and resolution per day"}),t(Ze,{days:l.days,series:[["medianFirstResponseSeconds","First response","#b45309"],["medianResolutionSeconds","Resolution","#7c3aed"]],labelledBy:"chart-times",format:et})]}),t("section",{class:"card","aria-labelledby":"csat-title",children:[t("h2",{id:"csat-title",children:"Customer satisfaction"}),l.csat.count===0?t("p",{class:"none",children:"No ratings in this period."}):t(Q,{children:[t(Dr,{csat:l.csat}),t("h3",{id:"chart-csat",children:"Average rating per day"}),t(Ze,{days:l.days,series:[["csatAverage","Average rating","#a16207"]],labelledBy:"chart-csat",format:In,max:5})]})]})]}),n&&t(Ir,{workspaceID:e,from:b,to:w,onOpenArticle:r}),t($r,{workspaceID:e,from:b,to:w,onOpenConversation:a})]})}var In=e=>e==null?"—":e.toFixed(1),Fn=e=>`${Math.round(e*100)}%`;function Dr({csat:e}){let n=Math.max(1,...e.distribution);return t("table",{class:"distribution",children:[t("caption",{class:"visually-hidden",children:"Ratings, from 5 (very good) to 1 (very bad)"}),t("tbody",{children:[5,4,3,2,1].map(r=>{let a=e.distribution[r-1]??0;return t("tr",{children:[t("th",{scope:"row",children:[r," ",t("span",{"aria-hidden":"true",children:"★"}),t("span",{class:"visually-hidden",children:r===1?"star":"stars"})]}),t("td",{class:"bar",children:t("svg",{viewBox:"0 0 100 10",preserveAspectRatio:"none","aria-hidden":"true",children:[t("rect",{width:"100",height:"10",fill:"#e2e8f0"}),t("rect",{width:100*a/n,height:"10",fill:"#a16207"})]})}),t("td",{class:"n",children:[a," ",t("span",{class:"meta",children:["(",Fn(a/e.count),")"]})]})]},r)})})]})}function Ir({workspaceID:e,from:n,to:r,onOpenArticle:a}){let o=`${e} ${n} ${r}`,[i,p]=S(null);N(()=>{let g=!0;return $(Cn,{w:e,f:n,t:r}).then(m=>g&&p({period:o,report:m.contentGaps})).catch(m=>g&&p({period:o,error:m.message})),()=>{g=!1}},[o]);let{report:u,error:l}=i?.period===o?i:{report:void 0,error:void 0},d=u?.deflection;return t("section",{class:"card gaps","aria-labelledby":"gaps-title","aria-busy":!u&&!l,children:[t("h2",{id:"gaps-title",children:"Content gaps"}),t("p",{class:"meta",children:"The questions the AI could not answer, or whose answer the customer voted not helpful, grouped by meaning: the articles to write next."}),l?t("p",{role:"alert",class:"error",children:l}):!u||!d?t("p",{class:"loading",children:"Loading…"}):t(Q,{children:[t("p",{class:"deflection",children:d.rate==null?"No AI answers in this period.":t(Q,{children:[t("strong",{children:Fn(d.rate)})," of AI answers settled the question: ",d.answers-d.ledToConversation," of ",d.answers,";"," ",d.ledToConversation," led to a conversation within 24 hours."]})}),u.clusters.length===0?t("p",{class:"none",children:"No unanswered questions in this period."}):t(Q,{children:[t("p",{children:[u.questions," unanswered ",u.questions===1?"question":"questions",", largest group first:"]}),t("ol",{class:"clusters",children:u.clusters.map((g,m)=>t("li",{class:"cluster",children:[t("strong",{class:"size",children:[g.size," ",g.size===1?"question":"questions"]}),t("ul",{class:"examples",children:g.examples.map(s=>t("li",{children:t("q",{children:s})},s))}),t("p",{class:"closest",children:g.articles.length===0?"No article comes close.":t(Q,{children:["Closest ",g.articles.length===1?"article":"articles",":"," ",g.articles.map((s,b)=>t("span",{children:[b>0&&", ",t("a",{href:"#kb",onClick:h=>{h.preventDefault(),a(s.articleId)},children:s.title})," ",t("span",{class:"meta",children:["(",s.score.toFixed(2),")"]})]},s.articleId))]})})]},m))})]})]})]})}function $r({workspaceID:e,from:n,to:r,onOpenConversation:a}){let[o,i]=S(null),[p,u]=S("");return N(()=>{let l=!0;return u(""),$(En,{w:e,f:n,t:r}).then(d=>l&&i(d.answers)).catch(d=>l&&u(d.message)),()=>{l=!1}},[e,n,r]),t("section",{class:"card","aria-labelledby":"unhelpful-title",children:[t("h2",{id:"unhelpful-title",children:"Answers voted not helpful"}),p?t("p",{role:"alert",class:"error",children:p}):o?o.length===0?t("p",{class:"none",children:"No AI answer was voted not helpful in this period."}):t("ol",{class:"answers",children:o.map(l=>t("li",{children:[t("p",{class:"question",children:[t("strong",{children:l.question})," ",t("time",{class:"meta",dateTime:l.createdAt,children:oe(l.createdAt)})]}),l.answer.answered?t("details",{children:[t("summary",{children:"The AI's answer"}),t("div",{class:"preview-box",children:t(he,{text:l.answer.answer})})]}):t("p",{class:"meta",children:"The AI did not answer."}),l.feedback?.comment&&t("p",{children:["The customer said: ",t("q",{children:l.feedback.comment})]}),l.conversation&&t("a",{class:"open-conversation",href:"#inbox",onClick:d=>{d.preventDefault(),a(l.conversation.id)},children:"Open the conversation"})]},l.id))}):t("p",{class:"loading",children:"Loading…"}),o?.length===50&&t("p",{class:"meta",children:"The 50 most recent."})]})}function Ze({days:e,series:n,labelledBy:r,format:a,max:o}){let i=o??Math.max(1,...e.flatMap(m=>n.map(([s])=>m[s]??0))),p=720,u=180,l=24,d=(p-l)/Math.max(1,e.length),g=Math.max(2,(d-6)/n.length);return t(Q,{children:[t("svg",{viewBox:`0 0 ${p} ${u+24}`,class:"chart","aria-hidden":"true",children:[t("line",{x1:l,y1:u,x2:p,y2:u,stroke:"#94a3b8"}),e.map((m,s)=>t("g",{children:[n.map(([b,,h],w)=>{let v=(m[b]??0)/i*(u-10);return t("rect",{x:l+s*d+3+w*g,y:u-v,width:g-1,height:v,fill:h})}),(e.length<=16||s%Math.ceil(e.length/16)===0)&&t("text",{x:l+s*d+d/2,y:u+16,"font-size":"11","text-anchor":"middle",fill:"#475569",children:m.date.slice(5)})]},m.date)),t("text",{x:0,y:12,"font-size":"11",fill:"#475569",children:a(i)})]}),t("p",{class:"legend",children:n.map(([,m,s])=>t("span",{children:[t("svg",{width:"12",height:"12","aria-hidden":"true",children:t("rect",{width:"12",height:"12",fill:s})})," ",m]},m))}),t("table",{class:"visually-hidden","aria-labelledby":r,children:[t("thead",{children:t("tr",{children:[t("th",{scope:"col",children:"Day"}),n.map(([,m])=>t("th",{scope:"col",children:m}))]})}),t("tbody",{children:e.map(m=>t("tr",{children:[t("th",{scope:"row",children:m.date}),n.map(([s])=>t("td",{children:a(m[s]??null)}))]},m.date))})]})]})}function et(e){return e==null?"—":e<90?`${Math.round(e)} s`:e<5400?`${Math.round(e/60)} min`:e<172800?`${(e/3600).toFixed(1)} h`:`${(e/86400).toFixed(1)} d`}var it=["MONDAY","TUESDAY","WEDNESDAY","THURSDAY","FRIDAY","SATURDAY","SUNDAY"],Rr=/^(timezone|outOfOfficeMessage|ranges\[\d+\]\.(day|start|end))$/,$n=0,Lr=100,at=e=>e.charAt(0)+e.slice(1).toLowerCase(),Or=e=>/^\d\d:\d\d$/.test(e)?Number(e.slice(0,2))*60+Number(e.slice(3)):NaN,Rn=e=>`${String(Math.floor(e/60)).padStart(2,"0")}:${String(e%60).padStart(2,"0")}`,st=(e,n,r)=>r>1?`${at(e)}, range ${n+1}`:at(e);function Fr(e){for(let n of it){let r=e.filter(a=>a.day===n);for(let[a,o]of r.entries()){let i=st(n,a,r.length);if(!o.start)return{id:`bh-${o.key}-start`,message:`${i}: enter the opening time.`};if(!o.end)return{id:`bh-${o.key}-end`,message:`${i}: enter the closing time.`};if(o.start===o.end)return{id:`bh-${o.key}-end`,message:`${i}: the closing time must differ from the opening time.`};let p=r.slice(0,a).findIndex(u=>u.start<u.end&&o.start<o.end&&o.start<u.end&&u.start<o.end);if(p>=0)return{id:`bh-${o.key}-start`,message:`${i} (${o.start}–${o.end}) overlaps range ${p+1} (${r[p].start}–${r[p].end}).`}}}return null}function Nr({value:e,onSave:n}){let[r,a]=S(e),[o,i]=S(()=>e.ranges.map(y=>({key:++$n,...y}))),[p,u]=S(""),[l,d]=S(null),[g,m]=S(null);Ie(()=>{l&&document.getElementById(l.id)?.focus()},[l]),Ie(()=>{g&&(document.getElementById(g)?.focus(),m(null))},[g]);let s=(y,E)=>i(o.map(T=>T.key===y?{...T,...E}:T)),b=y=>{let E=nt(o,R=>R.day===y),T=E?Or(E.end)+60:540,k=T+60<=1440,L={key:++$n,day:y,start:k?Rn(T):"",end:k?Rn(Math.min(T+(E?240:480),1439)):""};return i([...o,L]),L.key},h=y=>l?.id===y,w=y=>h(y)?`${y}-error`:void 0,c=y=>h(y)&&t("p",{id:`${y}-error`,class:"error field-error",children:l.message}),v=(y,E,T)=>{let k=`bh-${y.key}-${E}`,L=y[E];return t("input",{type:"time",id:k,"aria-label":T,required:!0,value:E==="end"&&L==="24:00"?"23:59":L,"aria-invalid":h(k)||void 0,"aria-describedby":w(k),onInput:R=>s(y.key,{[E]:R.target.value})})};return t("form",{class:"card",onSubmit:y=>{y.preventDefault();let E=Fr(o);if(d(E),E)return;let T=it.flatMap(k=>o.filter(L=>L.day===k));n({enabled:r.enabled,timezone:r.timezone,outOfOfficeMessage:r.outOfOfficeMessage,ranges:T.map(({day:k,start:L,end:R})=>({day:k,start:L,end:R})),closures:r.closures.map(k=>({date:k.date,reason:k.reason}))}).catch(k=>{if(!(k instanceof Z)||!k.field)return;let L=/^ranges\[(\d+)\]\.(day|start|end)$/.exec(k.field),R=L?T[Number(L[1])]:void 0;if(R){let f=T.filter(D=>D.day===R.day),x=L[2]==="end"?"end":"start";d({id:`bh-${R.key}-${x}`,message:`${st(R.day,f.indexOf(R),f.length)}, ${x==="end"?"closes":"opens"}: ${k.message}`})}else k.field==="timezone"?d({id:"bh-timezone",message:`Time zone: ${k.message}`}):k.field==="outOfOfficeMessage"&&d({id:"bh-message",message:`Message while away: ${k.message}`})})},noValidate:!0,children:[t("h2",{children:"Business hours"}),t("label",{class:"inline",children:[t("input",{type:"checkbox",checked:r.enabled,onChange:y=>a({...r,enabled:y.target.checked})})," Keep business hours (otherwise always open)"]}),t("label",{children:["Time zone (IANA, e.g. Europe/Amsterdam)",t("input",{id:"bh-timezone",value:r.timezone,required:!0,"aria-invalid":h("bh-timezone")||void 0,"aria-describedby":w("bh-timezone"),onInput:y=>a({...r,timezone:y.target.value})})]}),c("bh-timezone"),t("div",{class:"hours",role:"group","aria-labelledby":"bh-hours-title",children:[t("h3",{id:"bh-hours-title",children:"Opening hours"}),t("p",{class:"meta hint",children:"Each day may have several ranges; one that closes at or before it opens ends the next day."}),it.map(y=>{let E=at(y),T=o.filter(k=>k.day===y);return t("div",{class:"day",role:"group","aria-labelledby":`bh-${y}-name`,children:[t("label",{class:"inline day-name",children:[t("input",{type:"checkbox",id:`bh-${y}-open`,"aria-label":`Open on ${E}`,checked:T.length>0,onChange:k=>{k.target.checked?b(y):i(o.filter(L=>L.day!==y))}}),t("span",{id:`bh-${y}-name`,children:E})]}),t("div",{class:"ranges",children:[T.length===0&&t("span",{class:"meta",children:"Closed"}),T.map((k,L)=>{let R=T.length>1?`${E}, range ${L+1},`:E;return t("div",{class:"range",children:[v(k,"start",`${R} opens`),t("span",{"aria-hidden":"true",children:"–"}),v(k,"end",`${R} closes`),t("button",{type:"button",class:"link",onClick:()=>{i(o.filter(f=>f.key!==k.key)),(h(`bh-${k.key}-start`)||h(`bh-${k.key}-end`))&&d(null),m(T.length>1?`bh-${y}-add`:`bh-${y}-open`)},children:["Remove",t("span",{class:"visually-hidden",children:[" ",st(y,L,T.length)]})]})]},k.key)}),T.map(k=>[c(`bh-${k.key}-start`),c(`bh-${k.key}-end`)]),T.length>0&&t("button",{type:"button",class:"link add-range",id:`bh-${y}-add`,disabled:o.length>=Lr,onClick:()=>m(`bh-${b(y)}-start`),children:["Add range",t("span",{class:"visually-hidden",children:[" on ",E]})]})]})]},y)})]}),t("div",{class:"invite",children:[t("label",{children:["Closed all day on ",t("input",{type:"date",value:p,onInput:y=>u(y.target.value)})]}),t("button",{type:"button",disabled:!p,onClick:()=>{a({...r,closures:[...r.closures.filter(y=>y.date!==p),{date:p,reason:null}]}),u("")},children:"Add closure"})]}),r.closures.length>0&&t("ul",{children:r.closures.map(y=>t("li",{children:[y.date,y.reason?` (${y.reason})`:""," ",t("button",{type:"button",class:"link",onClick:()=>a({...r,closures:r.closures.filter(E=>E.date!==y.date)}),children:["Remove",t("span",{class:"visually-hidden",children:[" ",y.date]})]})]},y.date))}),t("label",{children:["Message while away",t("input",{id:"bh-message",value:r.outOfOfficeMessage,maxLength:500,"aria-invalid":h("bh-message")||void 0,"aria-describedby":w("bh-message"),onInput:y=>a({...r,outOfOfficeMessage:y.target.value})})]}),c("bh-message"),t("button",{type:"submit",children:"Save business hours"})]})}var Pr=[["IMAGE","Images (PNG, JPEG, GIF, WebP, BMP)"],["PDF","PDF"],["TEXT","Plain text"],["CSV","CSV"],["OFFICE","Office documents (Word, Excel, PowerPoint, OpenDocument)"]];function Vr({value:e,onSave:n,onError:r}){return t("form",{class:"card",onSubmit:a=>{a.preventDefault();let o=new FormData(a.currentTarget),i=o.getAll("kinds");if(!i.length){r("Choose at least one kind of file.");return}n({maxFileBytes:Math.round(Number(o.get("mb"))*1024*1024),maxFilesPerMessage:Number(o.get("perMessage")),maxFilesPerConversation:Number(o.get("perConversation")),allowedKinds:i})},children:[t("h2",{children:"Attachments"}),t("div",{class:"colors",children:[t("label",{children:["Largest file, MB ",t("input",{name:"mb",type:"number",min:.1,max:25,step:.1,required:!0,defaultValue:String(+(e.maxFileBytes/(1024*1024)).toFixed(1))})]}),t("label",{children:["Files per message ",t("input",{name:"perMessage",type:"number",min:1,max:10,required:!0,defaultValue:String(e.maxFilesPerMessage)})]}),t("label",{children:["Files per conversation ",t("input",{name:"perConversation",type:"number",min:1,max:1e3,required:!0,defaultValue:String(e.maxFilesPerConversation)})]})]}),t("fieldset",{children:[t("legend",{children:"Kinds of file accepted (judged by content, never by name)"}),Pr.map(([a,o])=>t("label",{class:"inline",children:[t("input",{type:"checkbox",name:"kinds",value:a,defaultChecked:e.allowedKinds.includes(a)})," ",o]},a))]}),t("button",{type:"submit",children:"Save attachment limits"})]})}var Hr=["delayMinutes","resumeUrl"];function Ur({value:e,onSave:n}){let[r,a]=S(null),o=K(null);N(()=>{r&&o.current?.elements.namedItem(r.field)?.focus()},[r]);let i=l=>r?.field===l,p=l=>`away-${l}-error`,u=l=>i(l)&&t("p",{id:p(l),class:"error field-error",children:r.message});return t("form",{class:"card",ref:o,onSubmit:l=>{l.preventDefault();let d=new FormData(l.currentTarget),g=String(d.get("resumeUrl")??"").trim();a(null),n({enabled:d.get("enabled")==="on",delayMinutes:Number(d.get("delayMinutes")),resumeUrl:g||null}).catch(m=>{m instanceof Z&&m.field&&a({field:m.field,message:m.message})})},children:[t("h2",{children:"Email when the customer is away"}),t("p",{class:"meta",children:"When an agent replies and the customer has left, Helpium emails them the reply (identified customers only)."}),t("label",{class:"inline",children:[t("input",{type:"checkbox",name:"enabled",defaultChecked:e.enabled})," Email replies to customers who have left"]}),t("div",{class:"colors",children:t("label",{children:["Delay, minutes (1 to 1440)",t("input",{name:"delayMinutes",type:"number",min:1,max:1440,required:!0,defaultValue:String(e.delayMinutes),"aria-invalid":i("delayMinutes")||void 0,"aria-describedby":i("delayMinutes")?p("delayMinutes"):void 0})]})}),u("delayMinutes"),t("label",{children:["Resume page URL",t("input",{name:"resumeUrl",type:"url",maxLength:2e3,placeholder:"https://shop.example.com/help",defaultValue:e.resumeUrl??"","aria-invalid":i("resumeUrl")||void 0,"aria-describedby":["away-resumeUrl-hint",i("resumeUrl")?p("resumeUrl"):""].join(" ").trim()})]}),t("p",{id:"away-resumeUrl-hint",class:"meta hint",children:"The page of your site where the widget runs: the email's link reopens the conversation there. Empty: the email has no link."}),u("resumeUrl"),t("button",{type:"submit",children:"Save away email"})]})}var Nn=20,Ln=["name","description","method","urlTemplate","parameters","headers",...[...Array(Nn).keys()].flatMap(e=>["headers["+e+"].name","headers["+e+"].value"])];function qr({actions:e,calls:n,onSave:r,onDelete:a,onRefresh:o}){let[i,p]=S(null),[u,l]=S(null),d=K(null);N(()=>{u&&((document.getElementById(u)??d.current?.querySelector("h2"))?.focus(),l(null))},[u]);let g=()=>{l(i==="new"||!i?"action-new":`action-edit-${i.id}`),p(null)};return t("div",{class:"card actions-card",ref:d,children:[t("h2",{tabIndex:-1,children:"AI Actions"}),t("p",{class:"meta",children:"Calls into your own application that agents run from a conversation and the AI uses when it answers a customer. Only public https addresses are reached."}),e.length===0?t("p",{class:"none",children:"No actions yet."}):t("ul",{class:"action-list",children:e.map(m=>t("li",{children:[t("span",{class:"row1",children:[t("strong",{class:"name",children:m.name}),t("span",{class:"pill",children:m.method}),m.requiresCustomerToken&&t("span",{class:"pill",children:"customer's token"})]}),t("code",{class:"url",children:m.urlTemplate}),t("p",{children:m.description}),m.headers.length>0&&t("p",{class:"meta",children:["Headers: ",m.headers.map(s=>s.name).join(", ")]}),t("span",{class:"reply-actions",children:[t("button",{type:"button",class:"link",id:`action-edit-${m.id}`,disabled:i!==null,onClick:()=>p(m),children:["Edit",t("span",{class:"visually-hidden",children:[" ",m.name]})]}),t("button",{type:"button",class:"danger",disabled:i!==null,onClick:()=>confirm(`Delete the action ${m.name}? The AI and agents can no longer use it; the records of its calls stay.`)&&a(m).then(()=>l("action-new")),children:["Delete",t("span",{class:"visually-hidden",children:[" ",m.name]})]})]})]},m.id))}),i?t(Wr,{action:i==="new"?null:i,onCancel:g,onSave:m=>r(i==="new"?null:i.id,m).then(s=>{s&&g()})},i==="new"?"new":i.id+i.updatedAt):t("button",{type:"button",id:"action-new",onClick:()=>p("new"),children:"New action"}),t("h3",{children:"Recent calls"}),n.length===0?t("p",{class:"none",children:"No calls yet."}):t(lt,{label:"Recent calls",children:t("table",{class:"calls",children:[t("thead",{children:t("tr",{children:[t("th",{scope:"col",children:"Action"}),t("th",{scope:"col",children:"When"}),t("th",{scope:"col",children:"By"}),t("th",{scope:"col",children:"Result"}),t("th",{scope:"col",children:"Time"})]})}),t("tbody",{children:n.map(m=>{let s=!m.error&&m.statusCode!=null&&m.statusCode>=200&&m.statusCode<300;return t("tr",{children:[t("td",{children:m.actionName}),t("td",{children:t("time",{dateTime:m.createdAt,children:new Date(m.createdAt).toLocaleString()})}),t("td",{children:m.caller==="AI"?"AI":m.agent?.name||m.agent?.email||"Agent"}),t("td",{class:s?"ok":"failed",children:[s?"OK":"Failed",m.statusCode!=null?` (${m.statusCode})`:"",m.error?`: ${m.error}`:""]}),t("td",{children:[m.durationMs," ms"]})]},m.id)})})]})}),t("button",{type:"button",class:"link",onClick:o,children:"Refresh calls"})]})}var On=0;function Wr({action:e,onSave:n,onCancel:r}){let[a,o]=S(null),[i,p]=S(()=>(e?.headers??[]).map(h=>({key:++On,name:h.name,value:h.value??""}))),u=K(null);N(()=>{u.current?.elements.namedItem("name")?.focus()},[]),N(()=>{a&&u.current?.elements.namedItem(a.field)?.focus()},[a]);let l=h=>a?.field===h,d=h=>`action-${h.replace(/[.[\]]+/g,"-")}-error`,g=h=>l(h)&&t("p",{id:d(h),class:"error field-error",children:a.message}),m=(h,w)=>[w??"",l(h)?d(h):""].join(" ").trim()||void 0,s=(h,w)=>p(i.map((c,v)=>v===h?{...c,...w}:c)),b=e?`Edit ${e.name}`:"New action";return t("form",{class:"action-form",ref:u,"aria-label":b,onSubmit:h=>{h.preventDefault();let w=new FormData(h.currentTarget);o(null);let c;try{c=JSON.parse(String(w.get("parameters")??""))}catch(v){o({field:"parameters",message:`The parameters are not valid JSON: ${v.message}`});return}n({name:String(w.get("name")??""),description:String(w.get("description")??""),method:w.get("method"),urlTemplate:String(w.get("urlTemplate")??""),parameters:c,headers:i.map(({name:v,value:_})=>({name:v,value:_})),requiresCustomerToken:w.get("requiresCustomerToken")==="on"}).catch(v=>{v instanceof Z&&v.field&&o({field:v.field,message:v.message})})},children:[t("h3",{children:b}),t("div",{class:"colors",children:[t("label",{children:["Name",t("input",{name:"name",required:!0,maxLength:64,autocomplete:"off",spellcheck:!1,defaultValue:e?.name??"",placeholder:"lookup_order","aria-invalid":l("name")||void 0,"aria-describedby":m("name","action-name-hint")})]}),t("label",{children:["Method"," ",t("select",{name:"method","aria-invalid":l("method")||void 0,"aria-describedby":m("method"),children:Tr.map(h=>t("option",{value:h,selected:(e?.method??"GET")===h,children:h}))})]})]}),t("p",{id:"action-name-hint",class:"meta hint",children:"The AI's tool name: a letter, then letters, digits, _ and -; unique in the workspace."}),g("name"),g("method"),t("label",{children:["Description",t("textarea",{name:"description",rows:2,required:!0,maxLength:1e3,defaultValue:e?.description??"","aria-invalid":l("description")||void 0,"aria-describedby":m("description","action-description-hint")})]}),t("p",{id:"action-description-hint",class:"meta hint",children:"Tells the AI when and how to use the action."}),g("description"),t("label",{children:["URL template",t("input",{name:"urlTemplate",inputMode:"url",required:!0,maxLength:2e3,autocomplete:"off",spellcheck:!1,defaultValue:e?.urlTemplate??"",placeholder:"https://api.example.com/orders/{order_id}","aria-invalid":l("urlTemplate")||void 0,"aria-describedby":m("urlTemplate","action-urlTemplate-hint")})]}),t("p",{id:"action-urlTemplate-hint",class:"meta hint",children:["An https URL; ","{param}"," placeholders in the path and query, each a property of the parameters."]}),g("urlTemplate"),t("label",{children:["Parameters (JSON Schema of an object)",t("textarea",{name:"parameters",rows:8,required:!0,spellcheck:!1,defaultValue:JSON.stringify(e?.parameters??{type:"object",properties:{},required:[]},null,2),"aria-invalid":l("parameters")||void 0,"aria-describedby":m("parameters","action-parameters-hint")})]}),t("p",{id:"action-parameters-hint",class:"meta hint",children:"Parameters not in the URL go in the JSON body (POST, PUT, PATCH) or the query string (GET, DELETE)."}),g("parameters"),t("fieldset",{children:[t("legend",{children:"Request headers"}),i.length>0&&t(lt,{label:"Request headers",children:t("table",{class:"headers",children:[t("thead",{children:t("tr",{children:[t("th",{scope:"col",children:"Name"}),t("th",{scope:"col",children:"Value"}),t("th",{scope:"col",children:t("span",{class:"visually-hidden",children:"Remove"})})]})}),t("tbody",{children:i.map((h,w)=>[t("tr",{children:[t("td",{children:t("input",{name:`headers[${w}].name`,"aria-label":`Header ${w+1} name`,required:!0,autocomplete:"off",spellcheck:!1,value:h.name,onInput:c=>s(w,{name:c.target.value}),"aria-invalid":l(`headers[${w}].name`)||void 0,"aria-describedby":m(`headers[${w}].name`)})}),t("td",{children:t("input",{name:`headers[${w}].value`,"aria-label":`Header ${w+1} value`,autocomplete:"off",spellcheck:!1,value:h.value,onInput:c=>s(w,{value:c.target.value}),"aria-invalid":l(`headers[${w}].value`)||void 0,"aria-describedby":m(`headers[${w}].value`)})}),t("td",{children:t("button",{type:"button",class:"link",onClick:()=>p(i.filter((c,v)=>v!==w)),children:["Remove",t("span",{class:"visually-hidden",children:[" header ",w+1]})]})})]},h.key),(l(`headers[${w}].name`)||l(`headers[${w}].value`))&&t("tr",{children:t("td",{colSpan:3,children:[g(`headers[${w}].name`),g(`headers[${w}].value`)]})},`${h.key}-error`)])})]})}),t("button",{type:"button",name:"headers",disabled:i.length>=Nn,"aria-describedby":m("headers"),onClick:()=>p([...i,{key:++On,name:"",value:""}]),children:"Add header"}),g("headers"),t("p",{class:"meta",children:"Values are sent as written and shown to owners and admins only; agents see the names."})]}),t("label",{class:"inline",children:[t("input",{type:"checkbox",name:"requiresCustomerToken",defaultChecked:e?.requiresCustomerToken??!1})," Send the customer's bearer token (from identify) as Authorization: Bearer"]}),t("div",{class:"reply-actions",children:[t("button",{type:"submit",children:e?"Save action":"Create action"}),t("button",{type:"button",class:"link",onClick:r,children:"Cancel"})]})]})}function lt({label:e,children:n}){return t("div",{class:"scroll",role:"region","aria-label":e,tabIndex:0,children:n})}function Br({secret:e}){let[n,r]=S(!1);return t("p",{children:[n?t("code",{children:e}):t("span",{class:"meta",children:"Hidden."})," ",t("button",{type:"button",class:"link","aria-expanded":n,onClick:()=>r(!n),children:n?"Hide":"Show secret"})]})}function he({text:e}){let n=K(null);return N(()=>{n.current&&n.current.replaceChildren(Pt(e,[],location.origin))},[e]),t("div",{class:"md",ref:n})}function oe(e){if(!e)return"";let n=new Date(e);return n.toDateString()===new Date().toDateString()?n.toLocaleTimeString([],{hour:"2-digit",minute:"2-digit"}):n.toLocaleDateString([],{month:"short",day:"numeric"})}kt(t(sr,{}),document.getElementById("root"));})();
